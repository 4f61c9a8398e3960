"""The cache's CLI: `flask cache stats`, `flask stats` (flush: test_flush.py)."""
import json

from tests import factories


def test_cache_stats_prints_the_metrics_as_json(app, client, runner):
    """Same figures as GET /api/cache/stats."""
    client.get("/api/categories")
    client.get("/api/categories")
    result = runner.invoke(args=["cache", "stats"])
    assert result.exit_code == 0, result.output
    metrics = json.loads(result.output)
    assert (metrics["hits"], metrics["misses"], metrics["hit_ratio"], metrics["errors"]) == (1, 1, 0.5, 0)
    assert set(metrics["latency_ms"]) == {"avg", "p50", "p95", "max"} and metrics["since"]
    assert metrics == client.get("/api/cache/stats").get_json()


def test_stats_prints_the_statistics_json_and_follows_writes(app, runner, redis_client):
    """`flask stats` reads through the cache, and shows a write made after it cached the value."""
    factories.contact()
    first = json.loads(runner.invoke(args=["stats"]).output)
    assert first["contacts"] == {"total": 1, "opted_out": 0}
    assert set(first) == {"contacts", "messages", "campaigns", "interactions", "generated_at"}
    assert redis_client.exists("cache:stats:global")
    factories.contact()
    assert json.loads(runner.invoke(args=["stats"]).output)["contacts"] == {"total": 2, "opted_out": 0}


def test_cache_commands_work_with_redis_down(app_config, request):
    """Redis refused: `flask stats` answers from the database, `cache stats` says unavailable,
    `cache flush` fails with a message instead of a traceback."""
    from fakes.servers import free_port
    app_config.update(REDIS_URL=f"redis://127.0.0.1:{free_port()}/0", REDIS_CONNECT_TIMEOUT=0.2)
    runner = request.getfixturevalue("app").test_cli_runner()
    assert json.loads(runner.invoke(args=["stats"]).output)["contacts"] == {"total": 0, "opted_out": 0}
    assert json.loads(runner.invoke(args=["cache", "stats"]).output)["available"] is False
    result = runner.invoke(args=["cache", "flush"])
    assert result.exit_code == 1 and "redis unavailable" in result.output
