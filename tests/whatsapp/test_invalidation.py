"""Sends, statuses and answers drop the message stats once per webhook request or dispatch batch, after commit."""
import pytest
from sqlalchemy import create_engine, text

from chatbot.cache import get_cache, keys
from chatbot.extensions import db
from chatbot.messaging import dispatch
from fakes import meta


@pytest.fixture
def invalidations(app, monkeypatch):
    """Every CacheAside.invalidate call: (keys, what another connection saw of the messages at that moment)."""
    cache, calls = get_cache(), []
    original = cache.invalidate
    observer = create_engine(db.engine.url)

    def invalidate(cache_keys):
        """Record the call and what is committed at that moment, then invalidate."""
        with observer.connect() as conn:  # outside the writer's transaction: sees only committed rows
            seen = dict(conn.execute(text("SELECT status, count(*) FROM messages GROUP BY status")).all())
            seen["interactions"] = conn.execute(text("SELECT count(*) FROM interactions")).scalar()
        calls.append((sorted(set(cache_keys)), seen))
        return original(cache_keys)

    monkeypatch.setattr(cache, "invalidate", invalidate)
    yield calls
    observer.dispose()


def test_a_webhook_request_invalidates_once_after_its_commit(client, launch, invalidations, clock):
    launched = launch(count=10)
    invalidations.clear()
    statuses = [meta.status(launched.first(i).wamid, "read", clock.now()) for i in range(10)]
    answers = [meta.text(f"wamid.answer.{i}", launched.phones[i], clock.now()) for i in range(2)]

    meta.post(client, meta.notification(statuses=statuses, messages=answers))

    assert len(invalidations) == 1
    cache_keys, seen = invalidations[0]
    assert cache_keys == [keys.stats()]
    assert seen == {"read": 10, "pending": 2, "interactions": 2}  # already committed when the cache was told


def test_a_redelivered_webhook_invalidates_nothing(client, launch, invalidations, clock):
    launched = launch(count=2)
    payload = meta.notification(statuses=[meta.status(launched.first().wamid, "delivered", clock.now())])
    meta.post(client, payload)
    invalidations.clear()

    meta.post(client, payload)

    assert invalidations == []


@pytest.mark.parametrize("batch_size, calls", [(5, 1), (2, 3)])
def test_a_dispatch_batch_invalidates_once_after_its_commits(app, launch, invalidations, batch_size, calls):
    app.config["DISPATCH_BATCH_SIZE"] = batch_size
    launch(count=5, send=False)
    invalidations.clear()

    dispatch.run_once()

    assert len(invalidations) == calls
    assert invalidations[-1][1]["sent"] == 5


def test_the_stats_follow_sends_statuses_and_answers(client, launch, clock):
    launched = launch(count=3, send=False)
    assert client.get("/api/messages/stats").get_json()["messages"]["pending"] == 3
    assert client.get("/api/messages/stats").headers["X-Cache"] == "HIT"

    dispatch.run_once()
    assert client.get("/api/messages/stats").get_json()["messages"]["sent"] == 3

    meta.post(client, meta.notification(statuses=[meta.status(launched.first().wamid, "read", clock.now())],
                                        messages=[meta.text("wamid.answer.x", launched.phones[0], clock.now())]))
    stats = client.get("/api/messages/stats").get_json()
    assert (stats["messages"]["read"], stats["messages"]["pending"], stats["interactions"]["total"]) == (1, 1, 1)
