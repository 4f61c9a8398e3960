"""Degraded mode: Redis refused, silent, stopped mid-traffic, paused, out of memory.

Every endpoint answers from the database (cached ones with X-Cache: BYPASS), /api/health says
"redis": "unavailable", the breaker keeps a dead Redis from costing a timeout per request (counted as
connection attempts, not wall time), and the cache comes back by itself after the cool-down
(the FrozenClock is advanced: the breaker reads clock.monotonic()).
"""
import threading
import time

import pytest

from chatbot.extensions import redis_store
from fakes.servers import RedisServer, free_port
from tests import factories

COOLDOWN = 5.0  # REDIS_BREAKER_COOLDOWN default


@pytest.fixture
def refused_port():
    """A port nothing listens on."""
    return free_port()


def make_data():
    """A category, a contact in it and a draft campaign (through the services)."""
    category = factories.category("Vip")
    contact = factories.contact([category["id"]])
    campaign = factories.campaign([category["id"]])
    return category["id"], contact["id"], campaign["id"]


def every_endpoint(client, category_id, contact_id, campaign_id):
    """{(method, path): (status, X-Cache)} for the whole API, reads and writes."""
    calls = [
        ("get", "/api/health", None), ("get", "/api/categories", None),
        ("get", f"/api/categories/{category_id}", None), ("get", "/api/contacts", None),
        ("get", f"/api/contacts/{contact_id}", None), ("get", "/api/campaigns", None),
        ("get", f"/api/campaigns/{campaign_id}", None), ("get", "/api/messages", None),
        ("get", "/api/messages/stats", None), ("get", "/api/monitoring/daily", None),
        ("get", "/api/cache/stats", None), ("get", "/", None),
        ("post", "/api/categories", {"name": "Outage"}),
        ("post", "/api/contacts", {"phone": "+14155550777", "name": "Down", "category_ids": [category_id]}),
        ("patch", f"/api/contacts/{contact_id}", {"name": "Renamed"}),
        ("patch", f"/api/categories/{category_id}", {"description": "during the outage"}),
        ("post", f"/api/campaigns/{campaign_id}/launch", None),
        ("delete", f"/api/contacts/{contact_id}", None),
    ]
    results = {}
    for method, path, body in calls:
        response = getattr(client, method)(path, json=body) if body else getattr(client, method)(path)
        results[(method, path)] = (response.status_code, response.headers.get("X-Cache"))
    return results


def assert_served_from_the_database(results, category_id):
    """Everything answered as usual; the cached reads say BYPASS."""
    cached = {"/api/categories", f"/api/categories/{category_id}", "/api/messages/stats"}
    for (method, path), (status, x_cache) in results.items():
        expected = {"post": 201, "delete": 204}.get(method, 200)
        if path.endswith("/launch"):
            expected = 202
        assert status == expected, (method, path, status)
        if method == "get" and path in cached:
            assert x_cache == "BYPASS", path


@pytest.fixture(params=["refused", "silent", "stopped"])
def dead_redis(request, app_config, fast_timeouts, refused_port, tmp_path):
    """Point the app at a Redis that is refused, silent, or a real one stopped after the app warmed up."""
    if request.param == "refused":
        app_config["REDIS_URL"] = f"redis://127.0.0.1:{refused_port}/0"
    elif request.param == "silent":
        app_config["REDIS_URL"] = request.getfixturevalue("silent_server").url
    else:
        server = request.getfixturevalue("redis_server")
        app_config["REDIS_URL"] = server.url
    app = request.getfixturevalue("app")
    if request.param == "stopped":
        assert app.test_client().get("/api/messages/stats").headers["X-Cache"] == "MISS"
        server.stop()
    return request.param


def test_every_endpoint_answers_from_the_database(dead_redis, app, client):
    """Reads, writes, health and metrics all answer; cached reads carry BYPASS."""
    ids = make_data()
    results = every_endpoint(client, *ids)
    assert_served_from_the_database(results, ids[0])
    assert client.get("/api/health").get_json() == {"status": "ok", "database": "ok", "redis": "unavailable"}
    metrics = client.get("/api/cache/stats").get_json()
    assert metrics["available"] is False and metrics["errors"] >= 3  # this process's own counts


def test_a_silent_redis_costs_one_timeout_then_no_connection_attempts(fast_timeouts, silent_server, app_config,
                                                                      request, clock):
    """Only the first request waits for the silent server; while the breaker is open nobody connects."""
    app_config["REDIS_URL"] = silent_server.url
    app = request.getfixturevalue("app")
    client = app.test_client()
    ids = make_data()  # the first write's invalidation meets the silence and opens the breaker
    assert silent_server.attempts() == 1
    results = every_endpoint(client, *ids)
    for _ in range(20):
        assert client.get("/api/messages/stats").headers["X-Cache"] == "BYPASS"
        assert client.get("/api/health").get_json()["redis"] == "unavailable"
    assert_served_from_the_database(results, ids[0])
    assert silent_server.attempts() == 1
    clock.advance(seconds=COOLDOWN)
    assert client.get("/api/categories").headers["X-Cache"] == "BYPASS"  # the one probe, silent again
    assert silent_server.attempts() == 2
    for _ in range(10):
        client.get("/api/categories")
    clock.advance(seconds=COOLDOWN)  # the cool-down doubled after a failed probe: still closed to Redis
    client.get("/api/categories")
    assert silent_server.attempts() == 2


def test_the_cache_comes_back_by_itself_after_the_cooldown(fast_timeouts, refused_port, app_config, request,
                                                           clock, tmp_path):
    """Redis refused, then started on that port: after the cool-down the cache serves HITs again."""
    app_config["REDIS_URL"] = f"redis://127.0.0.1:{refused_port}/0"
    client = request.getfixturevalue("app").test_client()
    assert client.get("/api/messages/stats").headers["X-Cache"] == "BYPASS"
    with RedisServer(tmp_path / "late", port=refused_port):
        assert client.get("/api/messages/stats").headers["X-Cache"] == "BYPASS"  # breaker still open
        clock.advance(seconds=COOLDOWN)
        assert client.get("/api/messages/stats").headers["X-Cache"] == "MISS"
        assert client.get("/api/messages/stats").headers["X-Cache"] == "HIT"
        assert client.get("/api/health").get_json()["redis"] == "ok"
        assert redis_store.available


def test_redis_stopped_in_the_middle_of_traffic_and_restarted(fast_timeouts, server_app, server_client,
                                                              redis_server, clock):
    """HIT, then BYPASS while stopped (writes still work), then fresh values and HITs after the restart."""
    category_id = factories.category("Traffic")["id"]
    path = f"/api/categories/{category_id}"
    for expected in ("MISS", "HIT", "HIT"):
        assert server_client.get(path).headers["X-Cache"] == expected
    redis_server.stop()
    for _ in range(5):
        assert server_client.get(path).headers["X-Cache"] == "BYPASS"
    response = server_client.post("/api/contacts", json={"phone": "+14155550123", "name": "Mid",
                                                         "category_ids": [category_id]})
    assert response.status_code == 201
    assert server_client.get(path).get_json()["contact_count"] == 1
    redis_server.start()
    clock.advance(seconds=COOLDOWN)
    response = server_client.get(path)
    assert response.headers["X-Cache"] == "MISS" and response.get_json()["contact_count"] == 1
    assert server_client.get(path).headers["X-Cache"] == "HIT"


@pytest.fixture
def stale_entry(fast_timeouts, server_app, server_client, redis_server):
    """Stats cached (0 contacts), then Redis paused (it keeps its data, answers nothing) and a contact
    created: its invalidation cannot reach Redis, where the old value stays."""
    assert server_client.get("/api/messages/stats").get_json()["contacts"]["total"] == 0
    redis_server.pause()
    assert server_client.post("/api/contacts", json={"phone": "+14155550124", "name": "Paused"}).status_code == 201
    assert server_client.get("/api/messages/stats").headers["X-Cache"] == "BYPASS"
    redis_server.resume()
    assert redis_server.probe.get("cache:stats:global") is not None  # the old value is still in Redis
    return "cache:stats:global"


def test_a_write_during_an_outage_is_not_hidden_by_the_value_cached_before(stale_entry, server_client, clock):
    """When Redis returns, the deferred invalidation runs before the first read: no stale HIT."""
    clock.advance(seconds=COOLDOWN)
    response = server_client.get("/api/messages/stats")
    assert response.headers["X-Cache"] == "MISS" and response.get_json()["contacts"]["total"] == 1


def test_recovery_replays_deferred_invalidations_at_once(stale_entry, server_client, redis_server, clock):
    """Whatever call finds Redis back (here the health check) replays them, so other processes, which
    never saw the write, stop finding the old value too."""
    clock.advance(seconds=COOLDOWN)
    assert server_client.get("/api/health").get_json()["redis"] == "ok"
    assert redis_server.probe.get(stale_entry) is None


def test_a_redis_out_of_memory_still_answers_and_drops_entries(server_app, server_client, redis_server):
    """Error replies (OOM) are not outages: requests answer, values are still dropped on writes."""
    category_id = factories.category("Full")["id"]
    assert server_client.get("/api/messages/stats").headers["X-Cache"] == "MISS"
    redis_server.probe.config_set("maxmemory-policy", "noeviction")
    redis_server.probe.config_set("maxmemory", "1")
    try:
        response = server_client.post("/api/contacts", json={"phone": "+14155550125", "name": "Oom",
                                                             "category_ids": [category_id]})
        assert response.status_code == 201
        assert redis_server.probe.get("cache:stats:global") is None  # UNLINK ran before the failing SET
        response = server_client.get("/api/messages/stats")
        assert response.status_code == 200 and response.get_json()["contacts"]["total"] == 1
        assert server_client.get(f"/api/categories/{category_id}").get_json()["contact_count"] == 1
        assert server_client.get("/api/health").get_json()["redis"] == "ok"
    finally:
        redis_server.probe.config_set("maxmemory", "0")
    assert server_client.get("/api/messages/stats").get_json()["contacts"]["total"] == 1


def test_concurrent_readers_never_fail_while_redis_stops_and_restarts(fast_timeouts, server_app, redis_server,
                                                                      clock):
    """Four threads read the cached endpoints while Redis is stopped and restarted: only 200s,
    HIT before, BYPASS during, HIT again after the cool-down."""
    category_id = factories.category("Busy")["id"]
    paths = ["/api/messages/stats", "/api/categories", f"/api/categories/{category_id}"]
    seen, failures, stop = [], [], threading.Event()

    def read(n):
        client = server_app.test_client()
        i = n
        while not stop.is_set():
            response = client.get(paths[i % len(paths)])
            i += 1
            (seen if response.status_code == 200 else failures).append(response.headers.get("X-Cache"))

    def phase(action, until):
        """Run `action`, then let the readers go on until `until(seen)` holds."""
        action()
        start, deadline = len(seen), time.monotonic() + 10
        while not until(seen[start:]) and not failures:
            assert time.monotonic() < deadline, (action, seen[start:][-20:])
            time.sleep(0.005)

    threads = [threading.Thread(target=read, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    try:
        phase(lambda: None, lambda s: s.count("HIT") >= 20)
        phase(redis_server.stop, lambda s: s.count("BYPASS") >= 20)
        phase(redis_server.start, lambda s: len(s) >= 20)
        phase(lambda: clock.advance(seconds=COOLDOWN), lambda s: s[-12:].count("HIT") == 12)
    finally:
        stop.set()
        for thread in threads:
            thread.join()
    assert failures == []
