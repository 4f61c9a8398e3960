"""A write Redis could not hear of is never hidden by the value cached before it, in any process.

Real processes (gunicorn) share PostgreSQL and a private redis-server that the test stalls (SIGSTOP,
what `DEBUG SLEEP` does), restarts with its data kept (append-only file), or outlives the writer (killed
with SIGKILL before Redis returns). Reads from the other processes poll with a deadline until Redis serves
them again, and every one of them must show the write.
"""
import time

import pytest
import requests

from fakes.servers import AppServer, RedisServer, stop_all

STATS = "/api/messages/stats"
FAST = {"REDIS_SOCKET_TIMEOUT": "0.2", "REDIS_CONNECT_TIMEOUT": "0.2", "REDIS_BREAKER_COOLDOWN": "0.3",
        "CACHE_METRICS_FLUSH_SECONDS": "0", "CACHE_TTL_SECONDS": "600"}
DEADLINE_SECONDS = 60  # generous: a busy machine may double a breaker's cool-down once or twice
# The writer's breaker stays open through the write (no command reaches the stalled Redis, whose socket
# buffers would otherwise replay it on resume): its write can only go on record.
WRITER = {"REDIS_BREAKER_COOLDOWN": "5"}


@pytest.fixture
def redis(tmp_path):
    """A private redis-server whose data survives a restart."""
    server = RedisServer(tmp_path / "redis", persistent=True).start()
    yield server
    server.close()


@pytest.fixture
def start_app(database_url, redis):
    """start_app() -> a running app process on the test database and the private Redis."""
    servers = []

    def start(**env):
        server = AppServer({"DATABASE_URL": database_url, "REDIS_URL": redis.url, **FAST, **env}, threads=2)
        servers.append(server.start())
        return server.wait_ready()
    yield start
    stop_all([s for s in servers if s.process is not None])


def stats(server):
    """(X-Cache, contacts.total) of one stats read."""
    response = requests.get(server.url + STATS, timeout=10)
    assert response.status_code == 200, (response.text, server.output())
    return response.headers["X-Cache"], response.json()["contacts"]["total"]


def warm(*servers):
    """Each process has read the stats through the cache: Redis holds 0 contacts."""
    for server in servers:
        assert stats(server)[1] == 0
    assert stats(servers[-1]) == ("HIT", 0)


def write_contact(server):
    """A contact created through `server`, answered 201."""
    response = requests.post(server.url + "/api/contacts", json={"phone": "+14155550100", "name": "Outage"},
                             timeout=10)
    assert response.status_code == 201, response.text


def away_then_write(writer, reader, take_redis_away):
    """Both processes have read through the cache; Redis goes away, both notice, the writer writes."""
    warm(writer, reader)
    take_redis_away()
    assert stats(writer)[0] == "BYPASS" and stats(reader)[0] == "BYPASS"  # both know Redis is away
    write_contact(writer)


def assert_all_show_the_write(seen):
    """Every read showed the contact written during the outage."""
    assert [total for _, total in seen] == [1] * len(seen), seen


def reads_until_served_from_redis(server):
    """Read until the process serves from Redis again (3 HITs), polling with a deadline; every read seen."""
    seen, deadline = [], time.monotonic() + DEADLINE_SECONDS
    while sum(1 for cache, _ in seen if cache == "HIT") < 3:
        assert time.monotonic() < deadline, seen[-10:]
        seen.append(stats(server))
    return seen


@pytest.mark.postgresql_only
def test_a_stall_hides_no_write_from_the_other_process(start_app, redis):
    """Both breakers open during the stall; the write's keys go on record; the other process applies it."""
    writer, reader = start_app(**WRITER), start_app()
    away_then_write(writer, reader, redis.pause)
    redis.resume()
    assert redis.probe.get("cache:stats:global") is not None  # the value from before the write is still there
    assert_all_show_the_write(reads_until_served_from_redis(reader))


@pytest.mark.postgresql_only
def test_a_writer_killed_before_redis_returns_leaves_its_invalidation_behind(start_app, redis):
    """The writer dies owing the invalidation: the survivor, and a process started afterwards, apply it."""
    writer, reader = start_app(**WRITER), start_app()
    away_then_write(writer, reader, redis.pause)
    writer.kill()
    redis.resume()
    assert redis.probe.get("cache:stats:global") is not None  # the value from before the write is still there
    newcomer = start_app()  # never saw the outage: it applies the record before it serves
    assert_all_show_the_write(reads_until_served_from_redis(newcomer) + reads_until_served_from_redis(reader))


@pytest.mark.postgresql_only
def test_redis_restarted_with_its_data_hides_no_write(start_app, redis):
    """Redis stops (its append-only file keeps the old value), a write lands, Redis comes back with the old value."""
    writer, reader = start_app(**WRITER), start_app()
    away_then_write(writer, reader, redis.stop)
    redis.start()
    assert redis.probe.get("cache:stats:global") is not None  # reloaded from the append-only file
    assert_all_show_the_write(reads_until_served_from_redis(reader) + reads_until_served_from_redis(writer))


@pytest.mark.postgresql_only
def test_a_write_from_a_process_still_in_its_cooldown_reaches_a_process_already_back(start_app, redis):
    """The reader is back on Redis while the writer's breaker is still open: the writer puts its write on
    record, and the reader, still checking the record after its own outage, applies it before any hit."""
    writer, reader = start_app(REDIS_BREAKER_COOLDOWN="30"), start_app()
    warm(writer, reader)
    redis.pause()
    assert stats(writer)[0] == "BYPASS" and stats(reader)[0] == "BYPASS"
    redis.resume()
    assert reads_until_served_from_redis(reader)[-1] == ("HIT", 0)
    assert stats(writer)[0] == "BYPASS"  # still cooling down: it does not know Redis is back
    write_contact(writer)
    assert_all_show_the_write([stats(reader) for _ in range(5)])
