"""Cache entries: names under cache:stats:* / cache:categories:*, JSON values, the configured TTL, expiry."""
import json
import pickle
import time

import pytest

from tests import factories

STATS, CATEGORY_LIST = "cache:stats:global", "cache:categories:list"


@pytest.fixture
def app_config(app_config):
    """A TTL that is not the default, to see that the setting is used."""
    app_config["CACHE_TTL_SECONDS"] = 37
    return app_config


def our_value_keys(redis_client):
    """Every cache entry (not generations, locks or metrics) in Redis."""
    names = {n.decode() for n in redis_client.scan_iter(match="cache:*", count=1000)}
    return {n for n in names if not n.endswith((":gen", ":lock")) and not n.startswith("cache:metrics")}


def test_entries_live_under_the_stats_and_categories_namespaces(app, client, redis_client):
    """Stats, the category list and a category's detail are stored at their documented names."""
    category = factories.category("Clients")
    for path in ("/api/messages/stats", "/api/categories", f"/api/categories/{category['id']}"):
        assert client.get(path).headers["X-Cache"] == "MISS"
    assert our_value_keys(redis_client) == {STATS, CATEGORY_LIST, f"cache:categories:detail:{category['id']}"}


def test_values_are_json_that_matches_the_response(app, client, redis_client):
    """The raw bytes of each entry are JSON (not pickle) equal to what the API answered."""
    category = factories.category("Leads")
    factories.contact([category["id"]])
    for path, key in (("/api/messages/stats", STATS), ("/api/categories", CATEGORY_LIST),
                      (f"/api/categories/{category['id']}", f"cache:categories:detail:{category['id']}")):
        body = client.get(path).get_json()
        raw = redis_client.get(key)
        assert not raw.startswith(b"\x80"), "pickle protocol header"
        assert json.loads(raw) == body
        hit = client.get(path)
        assert hit.headers["X-Cache"] == "HIT" and hit.get_json() == body


class Boom:
    """What another program could write into the shared Redis: unpickling it would run code."""

    ran = False

    def __reduce__(self):
        return (Boom._run, ())

    @staticmethod
    def _run():
        Boom.ran = True


def test_a_pickled_value_is_never_unpickled_but_replaced(app, client, redis_client):
    """A pickle found under our key is a miss: recomputed and overwritten with JSON, its code never run."""
    redis_client.set(STATS, pickle.dumps(Boom()))
    response = client.get("/api/messages/stats")
    assert response.headers["X-Cache"] == "MISS" and response.get_json()["contacts"] == {"total": 0, "opted_out": 0}
    assert Boom.ran is False
    assert json.loads(redis_client.get(STATS))["contacts"] == {"total": 0, "opted_out": 0}


def test_entries_get_the_configured_ttl(app, client, redis_client):
    """TTL = CACHE_TTL_SECONDS (37 here), read with the TTL command."""
    category = factories.category()
    for path in ("/api/messages/stats", "/api/categories", f"/api/categories/{category['id']}"):
        client.get(path)
    for key in our_value_keys(redis_client):
        assert 35 <= redis_client.ttl(key) <= 37, key


def test_an_expired_entry_is_recomputed_from_the_database(app, client, redis_client):
    """Once Redis expires the entry, the next read is a MISS with fresh data, then HITs again."""
    assert client.get("/api/messages/stats").get_json()["contacts"]["total"] == 0
    # A row written behind the cache's back (no invalidation): only expiry can reveal it.
    from chatbot.extensions import db
    from chatbot.models import Contact
    db.session.add(Contact(phone="+14155550100", name="Direct"))
    db.session.commit()
    assert client.get("/api/messages/stats").headers["X-Cache"] == "HIT"
    redis_client.pexpire(STATS, 1)
    deadline = time.monotonic() + 1
    while redis_client.exists(STATS) and time.monotonic() < deadline:
        time.sleep(0.001)
    response = client.get("/api/messages/stats")
    assert response.headers["X-Cache"] == "MISS" and response.get_json()["contacts"]["total"] == 1
    assert client.get("/api/messages/stats").headers["X-Cache"] == "HIT"


def test_a_missing_category_is_a_404_that_is_not_cached(app, client, redis_client):
    """NotFound is never stored, and does not leave a recompute lock that would make others wait."""
    for _ in range(2):
        assert client.get("/api/categories/999").status_code == 404
    assert not redis_client.exists("cache:categories:detail:999")
    assert not redis_client.exists("cache:categories:detail:999:lock")
