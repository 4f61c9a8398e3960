"""Webhooks stored in a burst and applied once it eases (chatbot/messaging/intake.py): acknowledged means stored
durably, every stored notification is applied once by whoever drains, under the same rules as one applied in
its request, and a row that cannot be applied is set aside instead of blocking the rows behind it."""
import json
import time

import pytest
from sqlalchemy import delete, func, select

from chatbot.clock import utcnow
from chatbot.extensions import db
from chatbot.messaging import intake
from chatbot.messaging.batcher import LULL
from chatbot.models import Message, WebhookIntake
from chatbot.scheduler import jobs
from fakes import meta
from tests.polling import wait_for
from tests.whatsapp.conftest import interactions
from tests.whatsapp.test_webhook_batches import commit_group, notification, poison_apply, post_together, rebatch


def stored(*payloads):
    """Store payloads in the intake as the batcher does (raw bodies, one statement), as a dead process left them."""
    intake.store([(json.dumps(p).encode(), utcnow()) for p in payloads])


def delivered(wamid):
    """Meta's `delivered` notification for one wamid."""
    return meta.notification([meta.status(wamid, "delivered", utcnow())])


def statuses(launched):
    """The first messages' statuses, by wamid (fresh)."""
    db.session.expire_all()
    rows = db.session.execute(select(Message.wamid, Message.status).where(
        Message.campaign_id == launched.campaign_id, Message.step == 1)).all()
    db.session.rollback()
    return dict(rows)


@pytest.mark.postgresql_only
def test_a_burst_is_acknowledged_as_stored_and_applied_once_it_eases(app, launch):
    launched = launch(count=40)
    rebatch(app, WEBHOOK_BATCH_WINDOW_MS=300.0, WEBHOOK_DEFER_AT=8)
    wamids = list(statuses(launched))

    responses = post_together(app, [delivered(w) for w in wamids])

    assert [r.status_code for r in responses] == [200] * 40
    answers = [r.get_json() for r in responses]
    deferred = [a for a in answers if a.get("deferred")]
    # Stored, not applied yet: what it changes is not known when it is acknowledged.
    assert deferred and all(a == {"statuses": 1, "messages": 0, "changed": 0, "interactions": 0, "deferred": True}
                            for a in deferred)
    assert all(a == {"statuses": 1, "messages": 0, "changed": 1, "interactions": 0}
               for a in answers if not a.get("deferred"))
    # The burst is over: the process's batcher applies what it stored, with no scheduler running.
    wait_for(lambda: intake.backlog() == (0, 0), 30, "the stored webhooks applied")
    assert set(statuses(launched).values()) == {"delivered"}
    assert launched.campaign().delivered_count == 40


def test_stored_notifications_follow_the_rules_of_applied_ones(app, launch):
    launched = launch(count=2)
    first, second = list(statuses(launched))
    answer = meta.notification(messages=[meta.text("wamid.answer.1", launched.phones[0], utcnow())])
    assert commit_group(notification([meta.status(first, "read", utcnow())])) == [(1, 0)]  # applied in its request

    stored(delivered(first), answer, delivered(second), delivered(second), answer)  # late, duplicated, answered twice
    assert intake.backlog() == (5, 0)
    assert intake.drain(500) == 5
    assert intake.backlog() == (0, 0) and intake.drain(500) == 0

    assert statuses(launched) == {first: "read", second: "delivered"}  # a late delivered never goes backwards
    assert len(interactions()) == 1 and launched.second(0) is not None and launched.second(1) is None
    campaign = launched.campaign()
    assert (campaign.delivered_count, campaign.read_count, campaign.interaction_count) == (2, 1, 1)
    # And the answer once more, applied in its request after its stored copies: still one.
    assert commit_group(notification(messages=[meta.text("wamid.answer.1", launched.phones[0], utcnow())])) == [(0, 0)]
    assert len(interactions()) == 1
    assert db.session.scalar(select(func.count()).select_from(Message).where(Message.step == 2)) == 1


def test_the_scheduled_drain_applies_what_a_dead_process_stored(app, launch, clock):
    launched = launch(count=3)
    stored(*[delivered(w) for w in statuses(launched)])

    assert jobs.drain_job(app) == 0  # young rows: a living process's burst, its own to apply once it eases
    assert intake.backlog() == (3, 0)
    clock.advance(seconds=app.config["WEBHOOK_DEFER_SECONDS"] + 1)  # its process would have applied them by now
    assert jobs.drain_job(app) == 3  # the job as the scheduler calls it: its own app context
    assert intake.backlog() == (0, 0)
    assert set(statuses(launched).values()) == {"delivered"}
    assert launched.campaign().delivered_count == 3


def test_a_row_that_fails_alone_is_set_aside_and_the_rest_applied(app, launch, monkeypatch, runner):
    launched = launch(count=5)
    wamids = list(statuses(launched))
    poison = poison_apply(monkeypatch, wamids[2])
    stored(*[delivered(w) for w in wamids])

    assert intake.drain(500) == 4
    assert intake.backlog() == (0, 1)
    [row] = db.session.execute(select(WebhookIntake.body, WebhookIntake.error)).all()
    assert poison in bytes(row.body).decode() and row.error == "RuntimeError: poison"  # for an operator to read
    assert {w: s for w, s in statuses(launched).items() if s == "sent"} == {poison: "sent"}
    assert launched.campaign().delivered_count == 4
    assert intake.drain(500) == 0  # set aside: not retried in a loop
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(WebhookIntake)) == 1

    # The operator reads why, fixes the bug (here: the real apply again) and puts it back in line.
    listed = runner.invoke(args=["webhooks", "aside"]).output
    assert "RuntimeError: poison" in listed and "1 webhook(s) set aside" in listed and poison not in listed
    monkeypatch.undo()
    assert runner.invoke(args=["webhooks", "retry"]).output == "back in line: 1\n"
    assert runner.invoke(args=["webhooks"]).output == "applied 1; waiting 0, set aside 0\n"
    assert set(statuses(launched).values()) == {"delivered"} and launched.campaign().delivered_count == 5


def test_a_row_applied_by_another_drain_meanwhile_is_not_set_aside_nor_is_the_next(app, launch, monkeypatch):
    """Between a failed row's rollback and its setting aside, another drain may take it (and apply it: deleted)."""
    launched = launch(count=3)
    wamids = list(statuses(launched))
    poison_apply(monkeypatch, wamids[0])
    stored(*[delivered(w) for w in wamids])
    first_id = db.session.scalar(select(func.min(WebhookIntake.id)))
    db.session.rollback()
    real_set_aside = intake._set_aside

    def set_aside_after_another_drain(*args):
        with db.engine.begin() as other:  # the other drain applied the row and deleted it
            other.execute(delete(WebhookIntake).where(WebhookIntake.id == first_id))
        return real_set_aside(*args)

    monkeypatch.setattr(intake, "_set_aside", set_aside_after_another_drain)
    assert intake.drain(500) == 2
    assert intake.backlog() == (0, 0)  # nothing set aside: the row in line behind it was applied, not blamed
    assert [statuses(launched)[w] for w in wamids[1:]] == ["delivered", "delivered"]


@pytest.mark.postgresql_only
def test_a_load_that_never_eases_still_drains_once_the_oldest_waited_long_enough(app):
    rebatch(app, WEBHOOK_DEFER_AT=8, WEBHOOK_DEFER_SECONDS=30.0)
    batcher = app.extensions["webhook_batcher"]
    batcher.loaded = True
    batcher.queue.put("the next request, already waiting")
    batcher.stored_since = time.monotonic() - 29.0
    assert not batcher._drain_due()  # under load and not old enough: the groups go first
    batcher.stored_since = time.monotonic() - 31.0
    assert batcher._drain_due()  # waited its 30 s: one chunk between two groups
    batcher.just_drained = True
    assert not batcher._drain_due()  # and then a group again, not chunk after chunk
    batcher.loaded, batcher.just_drained = False, False
    batcher.queue.get()
    batcher.stored_since = time.monotonic()
    assert batcher._drain_due()  # the load eased: at once


@pytest.mark.postgresql_only
def test_a_burst_lasts_until_a_lull_not_until_its_groups_shrink(app):
    """Storing is quick, so a burst being stored comes in small groups: draining there stalled the answers."""
    rebatch(app, WEBHOOK_DEFER_AT=8, WEBHOOK_BATCH_WINDOW_MS=0.0)
    batcher = app.extensions["webhook_batcher"]
    for n in range(8):
        batcher.queue.put(n)
    assert len(batcher._gather(batcher.queue.get())) == 8 and batcher.loaded  # a burst
    batcher.queue.put(8)
    assert len(batcher._gather(batcher.queue.get())) == 1 and batcher.loaded  # a small group of it: still one
    batcher.stored_since = time.monotonic()
    assert not batcher._drain_due()  # its stored groups wait
    assert batcher._next() is LULL and not batcher.loaded  # no webhook for LULL_SECONDS: the burst is over
    assert batcher._drain_due()  # and they go now
