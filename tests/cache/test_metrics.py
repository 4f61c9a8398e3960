"""Cache metrics: the contract's fields, merged across app instances, batched, logged, and the miss-ratio alarm."""
import logging

import pytest

from chatbot import create_app
from chatbot.cache import get_cache, get_metrics
from tests import factories

FIELDS = {"backend", "available", "hits", "misses", "hit_ratio", "errors", "latency_ms", "since"}


def test_cache_stats_show_hits_misses_ratio_errors_latency_and_since(app, client):
    """One miss then three hits: the endpoint shows them with latency figures and a start time."""
    for _ in range(4):
        client.get("/api/messages/stats")
    metrics = client.get("/api/cache/stats").get_json()
    assert set(metrics) == FIELDS
    assert (metrics["backend"], metrics["available"]) == ("redis", True)
    assert (metrics["hits"], metrics["misses"], metrics["hit_ratio"], metrics["errors"]) == (3, 1, 0.75, 0)
    latency = metrics["latency_ms"]
    assert set(latency) == {"avg", "p50", "p95", "max"}
    assert 0 < latency["avg"] <= latency["max"] and 0 < latency["p50"] <= latency["p95"]
    assert metrics["since"] == "2026-01-15T12:00:00Z"  # the FrozenClock's now, ISO UTC


def test_counts_of_two_app_instances_are_merged(app, client, app_config):
    """Two apps (two metrics objects, as two processes would have) flush to one Redis: the sum is shown."""
    other = create_app(app_config)
    other_client = other.test_client()
    for _ in range(3):
        client.get("/api/categories")        # 1 miss, 2 hits here
        other_client.get("/api/categories")  # 3 hits there
    assert get_metrics(other) is not get_metrics(app)
    get_metrics(other).flush()
    metrics = get_metrics(app).snapshot()
    assert (metrics["hits"], metrics["misses"]) == (5, 1)
    assert other_client.get("/api/cache/stats").get_json()["hits"] == 5


def test_latency_percentiles_merge_exactly_across_instances(app, app_config):
    """Histograms add up: ten fast lookups here and one slow there give p50 fast, p95 and max slow."""
    other = create_app(app_config)
    for _ in range(10):
        get_metrics(app).latency("get", 0.0003)
    get_metrics(other).latency("get", 0.020)
    get_metrics(other).hit()
    get_metrics(other).flush()
    latency = get_metrics(app).snapshot()["latency_ms"]
    assert latency == {"avg": round(23 / 11, 3), "p50": 0.5, "p95": 25, "max": 20.0}


@pytest.fixture
def flusher_running(app_config):
    """The background flusher on, with an interval longer than the test."""
    app_config["CACHE_METRICS_FLUSH_SECONDS"] = 60
    return app_config


def test_cached_reads_write_nothing_the_flush_is_one_batch(flusher_running, server_app, server_client,
                                                           redis_server):
    """N HITs send N MGETs and no write; the flush then adds everything with one script call."""
    server_client.get("/api/messages/stats")
    metrics = get_metrics(server_app)
    metrics.flush()
    redis_server.reset_stats()
    try:
        for _ in range(30):
            assert server_client.get("/api/messages/stats").headers["X-Cache"] == "HIT"
        assert metrics._thread is not None and metrics._thread.is_alive()
        assert redis_server.command_stats() == {"mget": 30}
        metrics.flush()
        after = redis_server.command_stats()
        assert after.pop("mget") == 30 and after.pop("evalsha") == 1
        assert set(after) <= {"hsetnx", "hincrby", "hget", "hset"}  # run inside that one script
    finally:
        metrics.stop()
    assert metrics.snapshot()["hits"] == 30


def test_each_cache_operation_logs_a_debug_line_with_its_duration(app, client, caplog):
    """get, lock, set on a miss; get on a hit; invalidate on a write: one DEBUG line each, with ms."""
    caplog.set_level(logging.DEBUG, logger="chatbot.cache")
    client.get("/api/messages/stats")
    client.get("/api/messages/stats")
    factories.contact()
    lines = [r for r in caplog.records if r.name == "chatbot.cache" and hasattr(r, "duration_ms")]
    assert [r.op for r in lines] == ["get", "lock", "set", "get", "invalidate"]
    for record in lines:
        assert record.levelno == logging.DEBUG
        assert record.duration_ms >= 0 and record.getMessage().endswith(" ms")
        assert f"{record.duration_ms:.3f}"[:3] in record.getMessage()


def warnings_of(caplog):
    """The miss-ratio warnings logged so far."""
    return [r for r in caplog.records if r.levelno == logging.WARNING and "miss ratio" in r.getMessage()]


def test_a_miss_ratio_over_half_warns_once_per_window(app, clock, caplog):
    """20 lookups minimum, more than 50% misses: one WARNING; none more until the window rolls."""
    metrics = get_metrics()
    for _ in range(19):
        metrics.miss()
    assert warnings_of(caplog) == []
    metrics.miss()
    assert len(warnings_of(caplog)) == 1
    assert "20 misses in 20 lookups" in warnings_of(caplog)[0].getMessage()
    for _ in range(50):
        metrics.miss()
    assert len(warnings_of(caplog)) == 1
    clock.advance(seconds=60)
    for _ in range(20):
        metrics.miss()
    assert len(warnings_of(caplog)) == 2


def test_half_misses_do_not_warn_one_more_does(app, clock, caplog):
    """Exactly 50% is fine; above it warns."""
    metrics = get_metrics()
    for _ in range(15):
        metrics.hit()
        metrics.miss()
    assert warnings_of(caplog) == []
    metrics.miss()
    assert len(warnings_of(caplog)) == 1


def test_hits_after_a_window_ends_count_in_the_next_one(app, clock, caplog):
    """The window rolls on any lookup: 30 hits then 20 misses in a new window is 40%, no warning."""
    metrics = get_metrics()
    metrics.miss()
    clock.advance(seconds=61)
    for _ in range(30):
        metrics.hit()
    for _ in range(20):
        metrics.miss()
    assert warnings_of(caplog) == []


def test_real_misses_raise_the_warning(app, client, caplog):
    """Twenty reads, each after a flush: twenty real misses, one warning."""
    for _ in range(20):
        get_cache().flush("stats")
        assert client.get("/api/messages/stats").headers["X-Cache"] == "MISS"
    assert len(warnings_of(caplog)) == 1


def test_each_cache_miss_logs_an_info_line_with_the_recompute_time(app, client, caplog):
    """Misses are what make a page slow: each one is logged at INFO with its key and duration."""
    caplog.set_level(logging.INFO, logger="chatbot.cache")
    client.get("/api/messages/stats")
    client.get("/api/messages/stats")  # a hit: no miss line
    misses = [r for r in caplog.records if r.name == "chatbot.cache" and r.levelno == logging.INFO
              and r.getMessage().startswith("cache miss")]
    assert len(misses) == 1
    assert misses[0].key == "stats:global" and misses[0].compute_ms >= 0
