"""One Redis connection pool per process, shared by the cache, monitoring and locks; short timeouts; TLS."""
import importlib
import pathlib
import pkgutil
import re

import redis

from chatbot import create_app
from chatbot.cache import get_cache, get_metrics
from chatbot.extensions import cache, redis_store
from chatbot.messaging import monitoring

CHATBOT = pathlib.Path(__file__).resolve().parents[2] / "chatbot"
# Anything that would open a second pool or client.
CONSTRUCTORS = re.compile(r"(?<![\w.])(?:redis\.)?(?:Strict)?Redis\(|Redis\.from_url\(|redis\.from_url\(|"
                          r"ConnectionPool(?:\.from_url)?\(|RedisCache\.factory")


def test_cache_backend_monitoring_and_store_share_one_pool(app):
    """Flask-Caching's client, the store's client and the monitoring service all use one ConnectionPool."""
    backend = app.extensions["cache"][cache]
    assert backend._write_client.connection_pool is redis_store.pool
    assert backend._read_client.connection_pool is redis_store.pool
    assert redis_store.client.connection_pool is redis_store.pool
    assert monitoring.redis_store is redis_store
    assert get_cache().store is redis_store and get_metrics().store is redis_store


def test_every_module_holding_a_redis_handle_holds_the_shared_one(app):
    """Import the whole package: any RedisStore, client or pool a module holds is the process's one."""
    import chatbot
    from chatbot.redis_store import RedisStore
    seen = 0
    for info in pkgutil.walk_packages(chatbot.__path__, "chatbot."):
        if ".migrations" in info.name:
            continue  # Alembic scripts run only under `flask db`
        module = importlib.import_module(info.name)
        for name, value in vars(module).items():
            if isinstance(value, RedisStore):
                assert value is redis_store, f"{info.name}.{name}"
                seen += 1
            assert not isinstance(value, (redis.Redis, redis.ConnectionPool)), f"{info.name}.{name}"
    assert seen >= 3  # extensions, monitoring, the cache... (and the scheduler's locks)


def test_cache_monitoring_and_locks_use_a_single_connection(server_app, server_client, redis_server):
    """On a private server: cached reads, monitoring counters and a lock-style SET NX open one connection."""
    server_client.get("/api/messages/stats")
    server_client.get("/api/categories")
    monitoring.record({"sent": 2})
    assert monitoring.daily(1)["items"][0]["sent"] == 2
    redis_store.call(lambda r: r.set("lock:test", "me", nx=True, px=1000))
    server_client.get("/api/messages/stats")
    clients = redis_server.probe.client_list()
    app_clients = [c for c in clients if c["id"] != str(redis_server.probe.client_id())]
    assert len(app_clients) == 1, app_clients
    assert redis_store.pool._created_connections == 1


def test_no_other_redis_client_is_built_in_the_package():
    """Only chatbot/redis_store.py builds a Redis client or pool (grep over the package)."""
    offenders = []
    for path in CHATBOT.rglob("*.py"):
        if path.name == "redis_store.py":
            continue
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if CONSTRUCTORS.search(line) and "register_script" not in line:
                offenders.append(f"{path.relative_to(CHATBOT.parent)}:{number}: {line.strip()}")
    assert offenders == []
    source = (CHATBOT / "redis_store.py").read_text()
    assert source.count("ConnectionPool.from_url(") == 1 and source.count("redis.Redis(") == 1


def test_pool_has_short_timeouts_health_checks_and_no_client_retries(app):
    """Timeouts of half a second, a health check every 30 s, no retries (the breaker decides)."""
    kwargs = redis_store.pool.connection_kwargs
    assert kwargs["socket_timeout"] == 0.5
    assert kwargs["socket_connect_timeout"] == 0.5
    assert kwargs["health_check_interval"] == 30
    assert kwargs["retry"].get_retries() == 0
    assert redis_store.pool.max_connections == app.config["REDIS_MAX_CONNECTIONS"]


def test_timeouts_come_from_the_environment(app_config, monkeypatch):
    """REDIS_SOCKET_TIMEOUT and REDIS_CONNECT_TIMEOUT are read from the environment."""
    monkeypatch.setenv("REDIS_SOCKET_TIMEOUT", "0.25")
    monkeypatch.setenv("REDIS_CONNECT_TIMEOUT", "0.1")
    create_app(app_config)
    assert redis_store.pool.connection_kwargs["socket_timeout"] == 0.25
    assert redis_store.pool.connection_kwargs["socket_connect_timeout"] == 0.1


def test_rediss_url_builds_a_tls_connection_without_connecting(app_config):
    """Upstash's rediss:// URL gives an SSL connection class; building the app opens no socket."""
    app_config["REDIS_URL"] = "rediss://default:secret@example.upstash.io:6379/0"
    create_app(app_config)
    assert redis_store.pool.connection_class is redis.SSLConnection
    assert redis_store.pool.connection_kwargs["host"] == "example.upstash.io"
    assert redis_store.pool._created_connections == 0


def test_a_second_app_replaces_the_pool_and_closes_the_old_one(app, app_config, redis_client):
    """create_app twice in one process (tests, CLI) keeps one live pool: the old one is disconnected."""
    redis_store.ping()
    old_pool = redis_store.pool
    assert old_pool._created_connections == 1
    create_app(app_config)
    assert redis_store.pool is not old_pool
    assert all(conn._sock is None for conn in old_pool._available_connections)
