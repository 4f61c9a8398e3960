"""Redis commands per cached read with a bearer token: its failure-limit check rides in the cache's MGET."""
import pytest

from tests import factories
from tests.cache.test_cost import READS, WRITE_COMMANDS

TOKEN = "cost-token"


@pytest.fixture
def token_app(request, app_config):
    """The private redis-server's app with API_TOKEN set (requested before `server_app` builds the app)."""
    app_config["API_TOKEN"] = TOKEN
    return request.getfixturevalue("server_app")


@pytest.fixture
def cached_paths(token_app, server_client):
    """The three cached endpoints, each already in the cache (read with the token)."""
    category = factories.category("Premium")
    factories.contact([category["id"]])
    paths = ["/api/messages/stats", "/api/categories", f"/api/categories/{category['id']}"]
    for path in paths:
        assert get(server_client, path).headers["X-Cache"] == "MISS"
    return paths


def get(client, path, **headers):
    """GET `path` with the bearer token."""
    return client.get(path, headers={"Authorization": f"Bearer {TOKEN}", **headers})


def test_a_cached_read_with_a_bearer_token_is_one_mget(cached_paths, server_client, redis_server):
    """The limit's counter, the value and its generation in one MGET: one round trip per hit, nothing written."""
    redis_server.reset_stats()
    for _ in range(READS):
        for path in cached_paths:
            response = get(server_client, path)
            assert response.status_code == 200 and response.headers["X-Cache"] == "HIT"
    stats = redis_server.command_stats()
    assert stats == {"mget": READS * len(cached_paths)}
    assert not WRITE_COMMANDS & stats.keys()


def test_a_revalidation_with_a_bearer_token_is_one_mget(cached_paths, server_client, redis_server):
    """If-None-Match -> 304 costs the same single MGET."""
    tag = get(server_client, cached_paths[0]).headers["ETag"]
    redis_server.reset_stats()
    assert get(server_client, cached_paths[0], **{"If-None-Match": tag}).status_code == 304
    assert redis_server.command_stats() == {"mget": 1}


def test_an_uncached_route_keeps_its_own_limit_check(cached_paths, server_client, redis_server):
    """Elsewhere the check is a GET of its own before the view (here: the contact list, no cache read)."""
    redis_server.reset_stats()
    assert get(server_client, "/api/contacts").status_code == 200
    assert redis_server.command_stats() == {"get": 1}
