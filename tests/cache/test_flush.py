"""`flask cache flush`: only our cache:* keys of that namespace go (SCAN + UNLINK, never KEYS).

Other programs' keys (tests/foreign.py) are planted before each test and checked after it by the
`redis_url` / `redis_server` fixtures; these tests add look-alike keys and our other prefixes too.
"""
import pytest

from chatbot.messaging import monitoring
from tests import factories
from tests.cache.support import fill

LOOK_ALIKES = {"cache": b"no colon", "cached:stats:global": b"other prefix", "Cache:stats:global": b"case",
               "xcache:categories:list": b"suffix"}


@pytest.fixture
def filled(app, client, redis_client):
    """Every entry cached, with generations (writes happened), plus keys that must survive any flush."""
    category_id = factories.category("Flushable")["id"]
    factories.contact([category_id])
    fill(client, [category_id])
    monitoring.record({"sent": 1})
    redis_client.set("lock:dispatch", "someone", px=60_000)
    for name, value in LOOK_ALIKES.items():
        redis_client.set(name, value)
    yield category_id
    redis_client.delete(*LOOK_ALIKES)


def scan(redis_client, pattern):
    """Key names matching `pattern`, by SCAN."""
    return {name.decode() for name in redis_client.scan_iter(match=pattern, count=1000)}


def survivors_intact(redis_client):
    """Our other prefixes and the look-alikes are untouched."""
    assert all(redis_client.get(name) == value for name, value in LOOK_ALIKES.items())
    assert redis_client.get("lock:dispatch") == b"someone"
    assert scan(redis_client, "monitoring:*")


@pytest.mark.parametrize("namespace, gone, kept", [
    ("stats", "cache:stats:*", "cache:categories:*"),
    ("categories", "cache:categories:*", "cache:stats:*"),
])
def test_flush_one_namespace_deletes_only_its_keys(filled, runner, redis_client, namespace, gone, kept):
    """--namespace stats|categories: that namespace (entries and their generations) and nothing else."""
    doomed, spared = scan(redis_client, gone), scan(redis_client, kept)
    assert doomed and spared
    result = runner.invoke(args=["cache", "flush", "--namespace", namespace])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == f"deleted {len(doomed)} keys from cache:{namespace}:*"
    assert scan(redis_client, gone) == set()
    assert scan(redis_client, kept) == spared
    survivors_intact(redis_client)


@pytest.mark.parametrize("args", [["cache", "flush"], ["cache", "flush", "--namespace", "all"]])
def test_flush_all_deletes_every_cache_key_and_nothing_else(filled, runner, redis_client, client, args):
    """The default (all): every cache:* key, metrics included; then the API refills the cache."""
    client.get("/api/cache/stats")  # metrics hashes exist too
    doomed = scan(redis_client, "cache:*")
    assert any(name.startswith("cache:metrics") for name in doomed)
    result = runner.invoke(args=args)
    assert result.exit_code == 0
    assert result.output.strip() == f"deleted {len(doomed)} keys from cache:*"
    assert scan(redis_client, "cache:*") == set()
    survivors_intact(redis_client)
    assert client.get("/api/messages/stats").headers["X-Cache"] == "MISS"
    assert client.get("/api/messages/stats").headers["X-Cache"] == "HIT"


def test_flush_of_an_empty_cache_prints_zero(app, runner):
    """Nothing to delete: says so."""
    result = runner.invoke(args=["cache", "flush", "--namespace", "stats"])
    assert result.output.strip() == "deleted 0 keys from cache:stats:*"


def test_an_unknown_namespace_is_refused(app, runner):
    """Only stats, categories, all."""
    result = runner.invoke(args=["cache", "flush", "--namespace", "campaign"])
    assert result.exit_code == 2 and "campaign" in result.output


def test_flush_of_many_keys_scans_and_unlinks_in_batches_without_keys(server_app, runner, redis_server):
    """1,200 entries: SCAN + UNLINK in batches; the KEYS command is never sent."""
    probe = redis_server.probe
    pipe = probe.pipeline(transaction=False)
    for i in range(1200):
        pipe.set(f"cache:categories:detail:{i}", "{}")
    pipe.execute()
    redis_server.reset_stats()
    result = runner.invoke(args=["cache", "flush", "--namespace", "categories"])
    assert result.output.strip() == "deleted 1200 keys from cache:categories:*"
    stats = redis_server.command_stats()
    assert "keys" not in stats and "del" not in stats
    assert stats["scan"] >= 1 and stats["unlink"] == 3  # 500 + 500 + 200
    assert not list(probe.scan_iter(match="cache:*"))
