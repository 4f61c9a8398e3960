"""Redis commands per request, counted by a private redis-server (INFO commandstats)."""
import pytest

from tests import factories

READS = 50
WRITE_COMMANDS = {"set", "setex", "psetex", "del", "unlink", "incr", "incrby", "expire", "pexpire", "hset",
                  "hincrby", "hsetnx", "eval", "evalsha", "script|load", "flushdb", "flushall"}


@pytest.fixture
def cached_paths(server_app, server_client):
    """The three cached endpoints, each already in the cache."""
    category = factories.category("Premium")
    factories.contact([category["id"]])
    paths = ["/api/messages/stats", "/api/categories", f"/api/categories/{category['id']}"]
    for path in paths:
        assert server_client.get(path).headers["X-Cache"] == "MISS"
    return paths


def test_a_cached_read_is_one_mget_and_writes_nothing(cached_paths, server_client, redis_server):
    """N cached GETs of each endpoint cost exactly N MGETs each: one round trip, zero write commands."""
    redis_server.reset_stats()
    for _ in range(READS):
        for path in cached_paths:
            assert server_client.get(path).headers["X-Cache"] == "HIT"
    stats = redis_server.command_stats()
    assert stats == {"mget": READS * len(cached_paths)}
    assert not WRITE_COMMANDS & stats.keys()


def test_a_miss_costs_three_round_trips(cached_paths, server_client, redis_server):
    """MGET (miss), SET NX (lock), EVALSHA (store if current, unlock): the price of a recomputation."""
    factories.contact()
    redis_server.reset_stats()
    assert server_client.get("/api/messages/stats").headers["X-Cache"] == "MISS"
    stats = redis_server.command_stats()
    assert {k: stats[k] for k in ("mget", "set", "evalsha")} == {"mget": 1, "set": 2, "evalsha": 1}
    # the script's own commands are counted too: GET generation, SET value, GET lock, DEL lock
    assert stats["get"] == 2 and stats["del"] == 1


def test_a_contact_creation_costs_one_round_trip(cached_paths, server_client, redis_server):
    """One EVALSHA drops the three entries (inside it: SET generation + UNLINK value, per key); one PUBLISH
    tells the open dashboards (chatbot/live)."""
    category_id = int(cached_paths[2].rsplit("/", 1)[1])
    redis_server.reset_stats()
    response = server_client.post("/api/contacts", json={"phone": "+14155550199", "name": "Cost",
                                                         "category_ids": [category_id]})
    assert response.status_code == 201
    stats = redis_server.command_stats()
    assert stats == {"evalsha": 1, "set": 3, "unlink": 3, "publish": 1}  # stats, list, one detail; the event
