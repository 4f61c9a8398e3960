"""The failure limit checked inside the cache's read (chatbot/security/folded.py) limits exactly as before: a
limited address gets 429 on every cached view, hit or miss, whatever its token, before any body leaves."""
import pytest

from chatbot.security.folded import limit_in_cache_read
from tests import factories
from tests.security.test_auth_limits import LIMIT, TOKEN, assert_limited

LIMITED, OTHER = "203.0.113.7", "198.51.100.9"


def get(client, path, token=TOKEN, address=LIMITED):
    """GET `path` from `address` (as the trusted router reports it) with `token`."""
    return client.get(path, headers={"X-Forwarded-For": address, "Authorization": f"Bearer {token}"})


@pytest.fixture
def cached_paths(limited_config, client):
    """The three cached views, each in the cache already (read from another address)."""
    category = factories.category("Premium")
    paths = ["/api/messages/stats", "/api/categories", f"/api/categories/{category['id']}"]
    for path in paths:
        assert get(client, path, address=OTHER).headers["X-Cache"] == "MISS"
    return paths


def use_up_the_limit(client):
    """LIMIT wrong guesses from LIMITED: 401 each."""
    assert [get(client, "/api/messages/stats", "guess").status_code for _ in range(LIMIT)] == [401] * LIMIT


def test_a_limited_address_gets_429_on_a_cached_hit_even_with_the_right_token(cached_paths, client):
    use_up_the_limit(client)
    for path in cached_paths:
        response = get(client, path)
        assert_limited(response)
        assert "X-Cache" not in response.headers and "ETag" not in response.headers, "nothing of the view leaves"
        assert get(client, path, "guess").status_code == 429, "a wrong guess is told apart by nothing"
        assert get(client, path, address=OTHER).headers["X-Cache"] == "HIT", "other addresses are not limited"


def test_a_limited_address_gets_429_on_a_cached_miss_and_nothing_is_computed(cached_paths, client, redis_client):
    use_up_the_limit(client)
    factories.contact()  # every cached view is now a miss
    assert_limited(get(client, "/api/messages/stats"))
    assert redis_client.get("cache:stats:global") is None, "the limited request recomputed nothing"


def test_the_right_token_is_not_counted_as_a_failure(cached_paths, client):
    for _ in range(LIMIT * 3):
        assert get(client, cached_paths[0]).status_code == 200
    assert get(client, "/api/contacts", "guess").status_code == 401, "no failure was counted by the reads"


def test_a_marked_view_that_never_reads_the_cache_is_still_limited(limited_config, app, client):
    """The after-request hook settles a check the view left pending, before the response leaves."""
    app.add_url_rule("/api/test-folded", "test_folded", limit_in_cache_read(lambda: {"served": True}))
    assert get(client, "/api/test-folded").status_code == 200
    use_up_the_limit(client)
    assert_limited(get(client, "/api/test-folded"))
