"""Expiry under load: when a hot entry is missing, one reader recomputes it, the others wait for its value."""
import threading
import time

import pytest
from sqlalchemy import event

from chatbot.cache import aside
from chatbot.cache.aside import CacheAside
from chatbot.extensions import db
from tests import factories

READERS = 12


@pytest.fixture
def slow_stats_query(app, monkeypatch):
    """Counts the stats computations; during a wave, the leader's computation lasts until every other reader waits.

    No timing: the computation returns once READERS - 1 readers are waiting for its value (counted by a
    wrapper around CacheAside._wait_for), and those readers wait as long as it takes (a 60 s bound
    instead of ~0.5 s), so a busy machine cannot turn a waiting reader into a second computation.
    """
    calls, waiting, lock = Calls(), [], threading.Condition()
    wait_for = CacheAside._wait_for

    def counted_wait(self, key):
        """The real wait, counted first."""
        with lock:
            waiting.append(threading.get_ident())
            lock.notify_all()
        return wait_for(self, key)

    def before(conn, cursor, statement, parameters, context, executemany):
        """Count a stats computation; in a wave, hold it until the other readers all wait."""
        if "contacts_total" in statement:
            calls.append(threading.get_ident())
            if calls.wave:
                with lock:
                    assert lock.wait_for(lambda: len(waiting) >= READERS - 1, timeout=20), \
                        f"{len(waiting)} readers waited for the leader, {len(calls)} computed"

    monkeypatch.setattr(CacheAside, "_wait_for", counted_wait)
    monkeypatch.setattr(aside, "WAIT_STEPS", int(60 / aside.WAIT_STEP))
    event.listen(db.engine, "before_cursor_execute", before)
    yield calls
    event.remove(db.engine, "before_cursor_execute", before)


class Calls(list):
    """The threads that computed the stats; `wave` is true while read_all_at_once runs."""

    wave = False


def read_all_at_once(app, path, calls):
    """READERS threads, released together, each GETting `path` with its own client."""
    barrier = threading.Barrier(READERS)
    calls.wave = True
    responses = [None] * READERS

    def read(i):
        client = app.test_client()
        barrier.wait()
        responses[i] = client.get(path)

    threads = [threading.Thread(target=read, args=(i,)) for i in range(READERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    calls.wave = False
    assert not any(thread.is_alive() for thread in threads), "a reader did not finish"
    return responses


def expire_now(redis_client, key):
    """Let Redis expire the entry (PEXPIRE 1 ms) and poll until it is gone."""
    redis_client.pexpire(key, 1)
    deadline = time.monotonic() + 5
    while redis_client.exists(key):
        assert time.monotonic() < deadline, f"{key} did not expire"
        time.sleep(0.001)


def test_an_expired_hot_entry_is_recomputed_once(app, client, redis_client, slow_stats_query):
    """Twelve concurrent readers of an expired entry: one database computation, twelve equal answers."""
    factories.contact()
    assert client.get("/api/messages/stats").headers["X-Cache"] == "MISS"
    expire_now(redis_client, "cache:stats:global")
    slow_stats_query.clear()
    responses = read_all_at_once(app, "/api/messages/stats", slow_stats_query)
    assert len(slow_stats_query) == 1
    bodies = [r.get_json() for r in responses]
    assert all(r.status_code == 200 for r in responses)
    assert all(body == bodies[0] for body in bodies)  # same generated_at: the leader's value
    assert bodies[0]["contacts"]["total"] == 1
    assert not redis_client.exists("cache:stats:global:lock")


def test_after_the_recompute_everyone_hits(app, client, redis_client, slow_stats_query):
    """Once the leader stored the value, the next wave of readers is all HITs with no computation."""
    read_all_at_once(app, "/api/messages/stats", slow_stats_query)
    slow_stats_query.clear()
    responses = read_all_at_once(app, "/api/messages/stats", slow_stats_query)
    assert slow_stats_query == []
    assert {r.headers["X-Cache"] for r in responses} == {"HIT"}
