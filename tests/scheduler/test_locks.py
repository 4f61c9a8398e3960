"""The Redis lock: one holder, token-checked release, expiry, and what happens when Redis is away."""
import threading
import time

import pytest

from chatbot import create_app
from chatbot.scheduler.locks import ACQUIRED, BUSY, UNAVAILABLE, RedisLock, claim, hold


def test_a_second_holder_is_refused_until_the_first_releases(app, redis_client):
    first, second = RedisLock("lock:test", 60), RedisLock("lock:test", 60)
    assert first.acquire() == ACQUIRED
    assert second.acquire() == BUSY and not second.held
    assert first.release() is True
    assert redis_client.exists("lock:test") == 0
    assert second.acquire() == ACQUIRED
    second.release()


def test_the_lock_expires_after_its_ttl(app, redis_client):
    lock = RedisLock("lock:test", 90)
    lock.acquire()
    assert 85_000 < redis_client.pttl("lock:test") <= 90_000
    assert redis_client.get("lock:test").decode() == lock.token
    lock.release()


def test_a_late_release_leaves_the_next_holders_lock_alone(app, redis_client):
    first = RedisLock("lock:test", 60)
    first.acquire()
    redis_client.delete("lock:test")  # as if its ttl ran out mid-work
    second = RedisLock("lock:test", 60)
    assert second.acquire() == ACQUIRED
    assert first.release() is False
    assert redis_client.get("lock:test").decode() == second.token
    second.release()


def test_hold_releases_on_error(app, redis_client):
    with pytest.raises(RuntimeError):
        with hold("lock:test", 60) as lock:
            assert lock.state == ACQUIRED
            raise RuntimeError("job failed")
    assert redis_client.exists("lock:test") == 0


def test_hold_does_not_release_a_lock_it_did_not_get(app, redis_client):
    redis_client.set("lock:test", "someone else", px=60_000)
    with hold("lock:test", 60) as lock:
        assert lock.state == BUSY
    assert redis_client.get("lock:test") == b"someone else"


def test_a_claim_is_kept_until_it_expires(app, redis_client):
    assert claim("lock:test:claim", 120) == ACQUIRED
    assert claim("lock:test:claim", 120) == BUSY
    assert 0 < redis_client.ttl("lock:test:claim") <= 120


def test_redis_down_reports_unavailable_instead_of_raising(app_config):
    app_config["REDIS_URL"] = "redis://127.0.0.1:1/0"
    with create_app(app_config).app_context():
        with hold("lock:test", 60) as lock:
            assert lock.state == UNAVAILABLE and not lock.held
        assert claim("lock:test:claim", 60) == UNAVAILABLE


def test_extend_resets_the_expiry_only_for_the_holder(app, redis_client):
    lock = RedisLock("lock:test", 60)
    lock.acquire()
    redis_client.pexpire("lock:test", 1000)
    assert lock.extend() is True
    assert redis_client.pttl("lock:test") > 55_000
    redis_client.set("lock:test", "next holder", px=1000)
    assert lock.extend() is False
    assert redis_client.pttl("lock:test") <= 1000


def test_a_renewed_lock_outlives_its_ttl_while_held(app, redis_client):
    """Held past its ttl, and renewed twice meanwhile (its remaining time went back up), the lock is still ours.

    Redis expires keys in real time, so this polls (with a deadline) until both have happened; a 1.5 s
    ttl renewed every 0.5 s leaves a busy machine a second of slack before a late renewal would lose it.
    """
    ttl = 1.5
    with hold("lock:test", ttl, renew=True) as lock:
        held_since = time.monotonic()  # after the SET: the key is at least this old
        renewals, last_pttl = 0, redis_client.pttl("lock:test")
        deadline = held_since + 15
        while renewals < 2 or time.monotonic() - held_since <= ttl + 0.1:
            assert time.monotonic() < deadline, f"only {renewals} renewals in 15 s"
            pttl = redis_client.pttl("lock:test")
            assert pttl > 0, f"the lock expired while held ({renewals} renewals)"
            renewals += pttl > last_pttl
            last_pttl = pttl
            time.sleep(0.02)
        assert redis_client.get("lock:test").decode() == lock.token
    assert redis_client.exists("lock:test") == 0
    assert not [t for t in threading.enumerate() if t.name == "renew lock:test"]
