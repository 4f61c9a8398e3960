"""HTTP behaviour of every route: Server-Timing, gzip from 500 bytes, request logs, X-Cache."""
import gzip
import json
import logging
import re

import pytest

from tests import factories

SERVER_TIMING = re.compile(r"^app;dur=\d+(\.\d+)?$")


@pytest.fixture
def ids():
    """One category, contact and draft campaign."""
    category = factories.category()
    contact = factories.contact([category["id"]])
    return {"category": category["id"], "contact": contact["id"],
            "campaign": factories.campaign([category["id"]])["id"]}


def test_every_response_carries_server_timing_errors_too(app_config, client, ids):
    big = "x" * (2 * 1024 * 1024)
    responses = {
        200: client.get("/api/categories"),
        201: client.post("/api/categories", json={"name": "New"}),
        202: client.post(f"/api/campaigns/{ids['campaign']}/launch"),
        204: client.delete(f"/api/categories/{ids['category']}"),
        400: client.post("/api/contacts", data="{", content_type="application/json"),
        404: client.get("/api/contacts/999"),
        405: client.put("/api/contacts"),
        409: client.post(f"/api/campaigns/{ids['campaign']}/launch"),
        413: client.post("/api/contacts", data=big, content_type="application/json"),
        422: client.get("/api/messages?per_page=0"),
    }
    responses["dashboard"] = client.get("/")
    responses["health"] = client.get("/api/health")
    for status, response in responses.items():
        assert status in ("dashboard", "health") or response.status_code == status
        assert SERVER_TIMING.match(response.headers.get("Server-Timing", "")), (status, response.headers)


@pytest.fixture
def token_config(app_config):
    """API_TOKEN set."""
    app_config["API_TOKEN"] = "t0ken"
    return app_config


def test_server_timing_on_unauthorized(token_config, client):
    response = client.get("/api/categories")
    assert response.status_code == 401
    assert SERVER_TIMING.match(response.headers["Server-Timing"])


GZIP = {"Accept-Encoding": "gzip"}


def test_large_responses_are_gzipped_when_asked(client):
    for i in range(8):
        factories.category(f"Category number {i}", "A description long enough to add up")
    plain = client.get("/api/categories")
    assert len(plain.get_data()) >= 500 and "Content-Encoding" not in plain.headers
    zipped = client.get("/api/categories", headers=GZIP)
    assert zipped.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in zipped.headers["Vary"]
    assert json.loads(gzip.decompress(zipped.get_data())) == plain.get_json()
    assert SERVER_TIMING.match(zipped.headers["Server-Timing"])


def sized_category(client, category_id, size):
    """PATCH the description so that GET /api/categories/<id> is exactly `size` bytes uncompressed."""
    client.patch(f"/api/categories/{category_id}", json={"description": ""})
    base = len(client.get(f"/api/categories/{category_id}").get_data())
    client.patch(f"/api/categories/{category_id}", json={"description": "d" * (size - base)})
    assert len(client.get(f"/api/categories/{category_id}").get_data()) == size


def test_gzip_starts_at_500_bytes(client):
    category = factories.category("Sized")
    sized_category(client, category["id"], 499)
    assert "Content-Encoding" not in client.get(f"/api/categories/{category['id']}", headers=GZIP).headers
    sized_category(client, category["id"], 500)
    response = client.get(f"/api/categories/{category['id']}", headers=GZIP)
    assert response.headers["Content-Encoding"] == "gzip"
    assert json.loads(gzip.decompress(response.get_data()))["description"].startswith("d")


def test_small_responses_and_errors_are_not_gzipped(client):
    for response in (client.get("/api/health", headers=GZIP), client.get("/api/contacts/999", headers=GZIP),
                     client.get("/api/categories", headers=GZIP)):
        assert len(response.get_data()) < 500
        assert "Content-Encoding" not in response.headers


@pytest.fixture
def request_logs(app_config, caplog):
    """Records of the request logger; no request counts as slow, so each line is the INFO one."""
    app_config["SLOW_REQUEST_MS"] = 10**9
    caplog.set_level(logging.INFO, logger="chatbot.requests")
    return lambda: [r for r in caplog.records if r.name == "chatbot.requests"]


def test_one_structured_log_line_per_critical_request(request_logs, client, ids):
    message_id = factories.message(ids["contact"])
    calls = [("GET", "/api/messages/stats", 200), ("GET", "/api/categories", 200),
             ("GET", f"/api/categories/{ids['category']}", 200), ("POST", "/api/categories", 201),
             ("GET", "/api/messages", 200), ("GET", f"/api/messages/{message_id}", 200),
             ("GET", "/api/categories/999", 404), ("GET", "/api/messages?per_page=0", 422)]
    for method, path, status in calls:
        before = len(request_logs())
        assert client.open(path, method=method, json={"name": path}).status_code == status
        records = request_logs()[before:]
        assert len(records) == 1, (path, records)
        record = records[0]
        assert record.levelno == logging.INFO
        assert (record.method, record.path, record.status) == (method, path.split("?")[0], status)
        assert isinstance(record.duration_ms, float) and record.duration_ms >= 0


def test_cached_request_logs_carry_the_cache_status(request_logs, client):
    client.get("/api/messages/stats")
    client.get("/api/messages/stats")
    assert [r.cache for r in request_logs()] == ["MISS", "HIT"]


def test_other_requests_are_not_logged_unless_slow(request_logs, client, ids):
    client.get("/api/contacts")
    client.get(f"/api/campaigns/{ids['campaign']}")
    client.get("/api/health")
    assert request_logs() == []


@pytest.fixture
def every_request_slow(app_config, caplog):
    """SLOW_REQUEST_MS=0: every request counts as slow."""
    app_config["SLOW_REQUEST_MS"] = 0
    caplog.set_level(logging.INFO, logger="chatbot.requests")
    return lambda: [r for r in caplog.records if r.name == "chatbot.requests"]


def test_slow_requests_are_logged_as_warnings_anywhere(every_request_slow, client):
    client.get("/api/contacts")
    records = every_request_slow()
    assert len(records) == 1 and records[0].levelno == logging.WARNING and records[0].path == "/api/contacts"


@pytest.mark.parametrize("path", ["/api/categories", "/api/categories/{category}", "/api/messages/stats"])
def test_cached_gets_say_miss_then_hit_and_miss_after_a_write(client, ids, path):
    path = path.format(**ids)
    assert client.get(path).headers["X-Cache"] == "MISS"
    first = client.get(path)
    assert first.headers["X-Cache"] == "HIT"
    factories.contact([ids["category"]])
    fresh = client.get(path)
    assert fresh.headers["X-Cache"] == "MISS"
    assert fresh.get_json() != first.get_json()  # the new contact shows (counts, totals)


@pytest.fixture
def redis_down(app_config):
    """Nothing listens on port 1: Redis connections are refused at once."""
    app_config["REDIS_URL"] = "redis://127.0.0.1:1/0"
    return app_config


def test_cached_gets_say_bypass_without_redis(redis_down, client, ids):
    for path in ("/api/categories", f"/api/categories/{ids['category']}", "/api/messages/stats"):
        response = client.get(path)
        assert response.status_code == 200 and response.headers["X-Cache"] == "BYPASS"
    assert client.get("/api/categories").get_json()["items"][0]["contact_count"] == 1
