"""Expiry under load: when a hot entry is missing, one reader recomputes it, the others wait for its value."""
import threading
import time

import pytest
from sqlalchemy import event

from chatbot.extensions import db
from tests import factories

READERS = 12


@pytest.fixture
def slow_stats_query(app):
    """Counts the stats computations and makes each take 150 ms, so that every reader arrives during it."""
    calls = []

    def before(conn, cursor, statement, parameters, context, executemany):
        if "contacts_total" in statement:
            calls.append(threading.get_ident())
            time.sleep(0.15)

    event.listen(db.engine, "before_cursor_execute", before)
    yield calls
    event.remove(db.engine, "before_cursor_execute", before)


def read_all_at_once(app, path):
    """READERS threads, released together, each GETting `path` with its own client."""
    barrier = threading.Barrier(READERS)
    responses = [None] * READERS

    def read(i):
        client = app.test_client()
        barrier.wait()
        responses[i] = client.get(path)

    threads = [threading.Thread(target=read, args=(i,)) for i in range(READERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return responses


def expire_now(redis_client, key):
    """Let Redis expire the entry (PEXPIRE 1 ms) and wait the millisecond."""
    redis_client.pexpire(key, 1)
    while redis_client.exists(key):
        time.sleep(0.001)


def test_an_expired_hot_entry_is_recomputed_once(app, client, redis_client, slow_stats_query):
    """Twelve concurrent readers of an expired entry: one database computation, twelve equal answers."""
    factories.contact()
    assert client.get("/api/messages/stats").headers["X-Cache"] == "MISS"
    expire_now(redis_client, "cache:stats:global")
    slow_stats_query.clear()
    responses = read_all_at_once(app, "/api/messages/stats")
    assert len(slow_stats_query) == 1
    bodies = [r.get_json() for r in responses]
    assert all(r.status_code == 200 for r in responses)
    assert all(body == bodies[0] for body in bodies)  # same generated_at: the leader's value
    assert bodies[0]["contacts"]["total"] == 1
    assert not redis_client.exists("cache:stats:global:lock")


def test_after_the_recompute_everyone_hits(app, client, redis_client, slow_stats_query):
    """Once the leader stored the value, the next wave of readers is all HITs with no computation."""
    read_all_at_once(app, "/api/messages/stats")
    slow_stats_query.clear()
    responses = read_all_at_once(app, "/api/messages/stats")
    assert slow_stats_query == []
    assert {r.headers["X-Cache"] for r in responses} == {"HIT"}
