"""What follows a sweep: counters, completion, caches, daily counter, logs, batches."""
import datetime as dt
import logging

from sqlalchemy import event

from chatbot.cache import get_cache, keys
from chatbot.extensions import db
from chatbot.messaging import sweep
from tests import factories
from tests.sweep import data


def test_counters_follow_and_a_resolved_campaign_completes(app, clock):
    campaign_id, (answered, failed, silent) = data.launched(contacts=3)
    sent_at = clock.now()
    data.send(campaign_id, sent_at, "read", [answered, silent])
    data.send(campaign_id, sent_at, "failed", [failed])
    data.answer(answered, sent_at + dt.timedelta(hours=1), campaign_id=campaign_id, mark_message=True)
    clock.advance(hours=24, minutes=30)
    assert sweep.run()["completed"] == 1
    row = data.campaign(campaign_id)
    assert (row.status, row.completed_at) == ("completed", clock.now())
    assert (row.total_count, row.sent_count, row.read_count, row.interaction_count, row.no_interaction_count,
            row.failed_count) == (3, 2, 2, 1, 1, 2)


def test_a_campaign_with_a_message_still_waiting_stays_running(app, clock):
    campaign_id, (early, late) = data.launched(contacts=2)
    data.send(campaign_id, clock.now(), contact_ids=[early])
    clock.advance(hours=20)
    data.send(campaign_id, clock.now(), contact_ids=[late])
    clock.advance(hours=5)
    assert sweep.run() == {"marked": 1, "completed": 0, "duration_ms": 0.0}
    assert data.campaign(campaign_id).status == "running"
    assert data.campaign(campaign_id).no_interaction_count == 1
    clock.advance(hours=20)
    assert sweep.run() == {"marked": 1, "completed": 1, "duration_ms": 0.0}
    assert data.campaign(campaign_id).status == "completed"


def test_a_campaign_with_pending_messages_stays_running(app, clock):
    campaign_id, _ = data.launched(contacts=1)
    clock.advance(hours=48)
    assert sweep.run()["completed"] == 0
    assert data.campaign(campaign_id).status == "running"


def test_a_contact_who_answered_since_counts_as_resolved(app, clock):
    """The first message stays `read` but its contact answered (another campaign): nothing left to wait for."""
    campaign_id, (contact_id,) = data.launched(contacts=1)
    data.send(campaign_id, clock.now(), "read")
    data.answer(contact_id, clock.now() + dt.timedelta(minutes=3))
    clock.advance(minutes=10)
    assert sweep.run() == {"marked": 0, "completed": 1, "duration_ms": 0.0}
    assert data.campaign(campaign_id).status == "completed"


def test_a_campaign_launched_to_empty_categories_completes_at_the_next_sweep(app, clock):
    empty = factories.category()["id"]
    campaign_id, _ = data.launched(category_ids=[empty])
    assert data.campaign(campaign_id).status == "running"
    clock.advance(minutes=1)
    assert sweep.run() == {"marked": 0, "completed": 1, "duration_ms": 0.0}
    row = data.campaign(campaign_id)
    assert (row.status, row.completed_at, row.total_count, row.failed_count) == ("completed", clock.now(), 0, 0)


def test_draft_and_completed_campaigns_are_left_alone(app, clock):
    draft_id = factories.campaign([factories.category()["id"]])["id"]
    done_id, _ = data.launched(category_ids=[factories.category()["id"]])
    sweep.run()
    completed_at = data.campaign(done_id).completed_at
    clock.advance(hours=2)
    assert sweep.run()["completed"] == 0
    assert data.campaign(draft_id).status == "draft"
    assert data.campaign(done_id).completed_at == completed_at


def test_the_sweep_marks_in_batches_each_committed_on_its_own(app, clock, count_statements):
    app.config["SWEEP_BATCH_SIZE"] = 2
    campaign_id, contact_ids = data.launched(contacts=5)
    data.send(campaign_id, clock.now())
    clock.advance(hours=25)
    commits = []

    def on_commit(conn):
        commits.append(conn)
    event.listen(db.engine, "commit", on_commit)
    try:
        with count_statements() as counter:
            assert sweep.run()["marked"] == 5
    finally:
        event.remove(db.engine, "commit", on_commit)
    marks = [s for s in counter.statements if "UPDATE messages" in s]
    assert len(marks) == 3  # 2 + 2 + 1 rows
    assert len(commits) == 4  # one per batch, one for the campaign step
    assert set(data.statuses(campaign_id).values()) == {"no_interaction"}


def test_counters_left_behind_by_an_interrupted_sweep_are_repaired_by_the_next(app, clock):
    campaign_id, contact_ids = data.launched(contacts=3)
    data.send(campaign_id, clock.now())
    clock.advance(hours=25)
    # A sweep that died after its batches committed, before the campaign step.
    progress = {"marked": 0, "campaign_ids": set()}
    sweep.mark_overdue(clock.now() - dt.timedelta(hours=24), clock.now(), 2, progress)
    assert progress["marked"] == 3 and data.campaign(campaign_id).no_interaction_count == 0
    assert sweep.run() == {"marked": 0, "completed": 1, "duration_ms": 0.0}
    row = data.campaign(campaign_id)
    assert (row.status, row.no_interaction_count, row.failed_count) == ("completed", 3, 3)


def test_the_stats_cache_is_invalidated_once_per_sweep(app, client, clock, monkeypatch):
    campaign_id, _ = data.launched(contacts=4)
    data.send(campaign_id, clock.now())
    client.get("/api/messages/stats")
    assert client.get("/api/messages/stats").headers["X-Cache"] == "HIT"
    calls = []
    cache = get_cache()
    original = cache.invalidate
    monkeypatch.setattr(cache, "invalidate", lambda keys: calls.append(sorted(set(keys))) or original(keys))
    clock.advance(hours=25)
    app.config["SWEEP_BATCH_SIZE"] = 1
    sweep.run()
    assert calls == [[keys.stats()]]
    response = client.get("/api/messages/stats")
    assert response.headers["X-Cache"] == "MISS"
    assert response.get_json()["messages"]["no_interaction"] == 4
    assert response.get_json()["campaigns"]["completed"] == 1


def test_the_daily_no_interaction_counter_grows_by_the_marked_count(app, clock, redis_client):
    campaign_id, _ = data.launched(contacts=3)
    data.send(campaign_id, clock.now())
    clock.advance(hours=24)
    sweep.run()
    day = f"monitoring:daily:{clock.now().date().isoformat()}"
    assert redis_client.hget(day, "no_interaction") == b"3"
    assert 0 < redis_client.ttl(day) <= 91 * 86400


def test_one_log_line_per_marked_contact_and_a_summary(app, clock, caplog):
    campaign_id, contact_ids = data.launched(contacts=3)
    data.send(campaign_id, clock.now())
    clock.advance(hours=24)
    with caplog.at_level(logging.INFO, logger="chatbot.messaging.sweep"):
        sweep.run()
    records = [r for r in caplog.records if r.name == "chatbot.messaging.sweep"]
    marks = [r for r in records if r.getMessage().startswith("no interaction")]
    assert sorted(r.contact_id for r in marks) == sorted(contact_ids)
    assert {r.campaign_id for r in marks} == {campaign_id}
    assert len({r.message_id for r in marks}) == 3
    assert not any("+1" in r.getMessage() for r in records)
    summary = [r for r in records if r.getMessage().startswith("sweep:")]
    assert [r.getMessage() for r in summary] == ["sweep: marked 3 messages, completed 1 campaigns in 0.0 ms"]
