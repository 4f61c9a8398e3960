"""The circuit breaker around the one pool: opens on an outage, probes once per cool-down, never sticks."""
import pytest
import redis

from chatbot.extensions import redis_store
from chatbot.redis_store import RedisUnavailable
from fakes.servers import RedisServer, free_port

COOLDOWN = 5.0


@pytest.fixture
def revived(app_config, request, clock, tmp_path):
    """Redis refused (breaker opened), then a redis-server started on that port, cool-down elapsed."""
    port = free_port()
    app_config["REDIS_URL"] = f"redis://127.0.0.1:{port}/0"
    request.getfixturevalue("app")
    assert redis_store.ping() is False and not redis_store.available
    with RedisServer(tmp_path / "redis", port=port) as server:
        assert redis_store.ping() is False  # still open: no attempt before the cool-down
        clock.advance(seconds=COOLDOWN)
        yield server


def test_a_probe_failing_in_our_code_lets_the_next_call_probe(revived):
    """A probe that raises something that says nothing about Redis must not leave the breaker half-open."""
    with pytest.raises(ZeroDivisionError):
        redis_store.call(lambda r: 1 / 0)
    assert redis_store.ping() is True and redis_store.available


def test_an_error_reply_closes_the_breaker(revived):
    """A probe answered with an error reply reached Redis: the breaker closes."""
    with pytest.raises(redis.exceptions.ResponseError):
        redis_store.call(lambda r: r.execute_command("NO-SUCH-COMMAND"))
    assert redis_store.available
    assert redis_store.call(lambda r: r.ping()) is True


def test_a_failed_probe_doubles_the_cooldown(app_config, request, clock):
    """Refused again at the probe: the next one waits twice as long (capped at 30 s)."""
    app_config["REDIS_URL"] = f"redis://127.0.0.1:{free_port()}/0"
    request.getfixturevalue("app")
    assert redis_store.ping() is False
    clock.advance(seconds=COOLDOWN)
    assert redis_store.breaker.allow() is True  # the probe...
    redis_store.breaker.failure(ConnectionError("refused"))  # ...fails
    clock.advance(seconds=COOLDOWN)
    assert redis_store.breaker.allow() is False
    clock.advance(seconds=COOLDOWN)
    assert redis_store.breaker.allow() is True


def test_only_one_probe_at_a_time(app_config, request, clock):
    """After the cool-down one call probes; the others are still refused until it answers."""
    app_config["REDIS_URL"] = f"redis://127.0.0.1:{free_port()}/0"
    request.getfixturevalue("app")
    redis_store.ping()
    clock.advance(seconds=COOLDOWN)
    assert redis_store.breaker.allow() is True
    with pytest.raises(RedisUnavailable):
        redis_store.call(lambda r: r.ping())
