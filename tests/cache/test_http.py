"""A cached view over HTTP: the stored bytes served as they are, a strong ETag, If-None-Match -> 304, a gzip copy."""
import gzip
import json

import pytest

from tests import factories

PATHS = ("/api/messages/stats", "/api/categories")


@pytest.fixture
def categories(app):
    """Enough categories for the list to be over COMPRESS_MIN_SIZE (500 bytes), each with a contact."""
    made = [factories.category(f"Segment {n}") for n in range(8)]
    for category in made:
        factories.contact([category["id"]])
    return made


@pytest.mark.parametrize("path", PATHS)
def test_a_hit_serves_the_stored_bytes_the_miss_served(categories, client, redis_client, path):
    """MISS (the database's answer), Redis's copy and every HIT are the same bytes: encoded once, never again."""
    miss = client.get(path)
    assert miss.headers["X-Cache"] == "MISS"
    key = "cache:stats:global" if path.endswith("stats") else "cache:categories:list"
    assert redis_client.get(key) == miss.data
    for _ in range(3):
        hit = client.get(path)
        assert hit.headers["X-Cache"] == "HIT" and hit.data == miss.data
        assert hit.mimetype == "application/json" and hit.get_json() == json.loads(miss.data)


def test_a_category_detail_is_served_as_stored_too(categories, client, redis_client):
    """The third cached view: its bytes in Redis are the ones served."""
    path = f"/api/categories/{categories[0]['id']}"
    miss, hit = client.get(path), client.get(path)
    assert (miss.headers["X-Cache"], hit.headers["X-Cache"]) == ("MISS", "HIT")
    assert hit.data == miss.data == redis_client.get(f"cache:categories:detail:{categories[0]['id']}")
    assert hit.get_json()["contact_count"] == 1


@pytest.mark.parametrize("path", PATHS)
def test_if_none_match_with_the_current_etag_is_a_304_without_body(categories, client, path):
    """The browser's revalidation costs headers only: 304, same ETag, no body; Cache-Control makes it ask each time."""
    first = client.get(path)
    etag = first.headers["ETag"]
    assert etag.startswith('"') and first.headers["Cache-Control"] == "no-cache"
    again = client.get(path, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    assert again.headers["ETag"] == etag and again.headers["X-Cache"] == "HIT"
    assert client.get(path, headers={"If-None-Match": '"something-else"'}).status_code == 200


@pytest.mark.parametrize("path", PATHS)
def test_after_a_write_the_old_etag_gets_the_new_body(categories, client, path):
    """A write changes the bytes, so the tag: the old one is answered 200 with the new value, never 304."""
    first = client.get(path)
    factories.contact([categories[0]["id"]])
    after = client.get(path, headers={"If-None-Match": first.headers["ETag"]})
    assert after.status_code == 200 and after.headers["X-Cache"] == "MISS"
    assert after.headers["ETag"] != first.headers["ETag"] and after.data != first.data


def test_gzip_is_a_copy_of_the_same_bytes_with_its_own_tag(categories, client):
    """Accept-Encoding: gzip gets the stored bytes compressed (once), tagged apart from the plain ones."""
    plain = client.get("/api/categories")
    packed = client.get("/api/categories", headers={"Accept-Encoding": "gzip"})
    assert packed.headers["Content-Encoding"] == "gzip" and packed.headers["X-Cache"] == "HIT"
    assert gzip.decompress(packed.data) == plain.data and len(packed.data) < len(plain.data)
    assert packed.headers["ETag"] != plain.headers["ETag"]
    assert "Accept-Encoding" in packed.headers["Vary"]
    again = client.get("/api/categories", headers={"Accept-Encoding": "gzip", "If-None-Match": packed.headers["ETag"]})
    assert again.status_code == 304


def test_a_conditional_hit_is_still_one_mget(server_app, server_client, redis_server):
    """A 304 costs what a hit costs in Redis: one MGET, no write (the tag is a hash of the bytes read)."""
    factories.contact([factories.category("Tagged")["id"]])
    tags = {path: server_client.get(path).headers["ETag"] for path in PATHS}
    redis_server.reset_stats()
    for _ in range(20):
        for path, tag in tags.items():
            assert server_client.get(path, headers={"If-None-Match": tag}).status_code == 304
    assert redis_server.command_stats() == {"mget": 20 * len(PATHS)}


def test_with_redis_down_the_view_still_answers_with_a_tag(server_app, server_client, redis_server):
    """Degraded mode: BYPASS bytes from the database, tagged like any others."""
    redis_server.stop()
    response = server_client.get("/api/messages/stats")
    assert response.status_code == 200 and response.headers["X-Cache"] == "BYPASS"
    assert response.headers["ETag"] and response.get_json()["contacts"]["total"] == 0
