"""Outcomes written in batches (issue 17, point 1): one UPDATE for many messages, each with its own answer's
values; a status webhook that lands between Meta's answer and the batch's commit is kept and applied, not lost."""
import datetime as dt
import threading

import pytest
from sqlalchemy import select, text

from chatbot import unit_of_work
from chatbot.extensions import db
from chatbot.messaging import dispatch, outcomes
from chatbot.messaging.cloud_api import SendResult
from chatbot.models import EarlyStatus, Message
from chatbot.unit_of_work import Batch
from fakes import meta
from tests.polling import wait_for


def messages():
    """Every message, by id, fresh."""
    db.session.expire_all()
    return db.session.scalars(select(Message).order_by(Message.id)).all()


def outcome_updates(counter):
    """The statements that wrote outcomes (UPDATE messages ... FROM the batch's rows)."""
    return [s for s in counter.statements if s.lstrip().upper().startswith("UPDATE MESSAGES") and "json" in s]


def waiting_for_a_lock():
    """Is some session of the test database waiting for an advisory lock? (its own connection, no transaction)"""
    with db.engine.connect() as conn:
        return bool(conn.execute(text("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"
                                      " AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
                                      )).scalar())


def sent_outcomes(claimed, clock):
    """An accepted answer for each claimed message, each a millisecond after the one before."""
    return [outcomes.Outcome(c, SendResult("sent", f"wamid.batch{c.id}"), clock.now() + dt.timedelta(milliseconds=i))
            for i, c in enumerate(claimed)]


@pytest.mark.parametrize("size", [3, 40])
def test_a_batch_of_outcomes_is_one_update_and_a_constant_number_of_statements(
        app, launch, clock, count_statements, size):
    launch(count=40, send=False)
    claimed = dispatch.claim(size, lease_seconds=300)
    batch = sent_outcomes(claimed, clock)

    with count_statements() as counter:
        statuses = outcomes.write(batch, app.config, Batch())

    assert statuses == {c.id: "sent" for c in claimed}
    assert len(outcome_updates(counter)) == 1
    # lock (SQLite write lock / PostgreSQL outcome lock), the UPDATE, the kept statuses, the campaign counters:
    # the same four for 3 outcomes as for 40; plus the batch's one audit row (issue #18), written by its first
    # unit of work (a fresh Batch here), whatever the number of outcomes.
    audit = [st for st in counter.statements if st.lstrip().upper().startswith("INSERT INTO AUDIT_LOG")]
    assert len(audit) == 1
    assert counter.count == 4 + len(audit)
    by_id = {m.id: m for m in messages()}
    for outcome in batch:
        row = by_id[outcome.message.id]
        assert (row.status, row.wamid, row.sent_at) == ("sent", outcome.result.wamid, outcome.at)  # its own answer


def test_one_batch_writes_sent_failed_and_queued_again_each_by_its_own_rules(app, launch, clock):
    launched = launch(count=3, send=False)
    claimed = dispatch.claim(3, lease_seconds=300)
    at = clock.now()
    results = [SendResult("sent", "wamid.ok"), SendResult("failed", None, "131049", "healthy ecosystem"),
               SendResult("retry", None, "http_503", "HTTP 503")]

    outcomes.write([outcomes.Outcome(c, r, at) for c, r in zip(claimed, results)], app.config, Batch())

    sent, failed, again = messages()
    assert (sent.status, sent.wamid, sent.sent_at, sent.next_attempt_at, sent.send_started_at) == (
        "sent", "wamid.ok", at, None, at)
    assert (failed.status, failed.error_code, failed.failed_at, failed.next_attempt_at) == (
        "failed", "131049", at, None)
    assert (again.status, again.error_code, again.send_started_at) == ("pending", "http_503", None)
    assert again.next_attempt_at == at + dt.timedelta(seconds=app.config["DISPATCH_RETRY_DELAY_SECONDS"])
    campaign = launched.campaign()
    assert (campaign.sent_count, campaign.failed_count) == (1, 1)


def test_a_dispatch_commits_its_outcomes_in_batches_not_one_per_message(app, launch, count_statements):
    # Senders answer at once (dry run); the writer gathers what arrives within its window.
    app.config.update(DISPATCH_OUTCOME_WINDOW_MS=500, DISPATCH_RATE_PER_SECOND=0, DISPATCH_BATCH_SIZE=60)
    launched = launch(count=60, send=False)

    with count_statements() as counter:
        assert dispatch.run_once() == {"sent": 60, "failed": 0}

    assert 1 <= len(outcome_updates(counter)) <= 6  # a commit per message would be 60
    assert launched.campaign().sent_count == 60


def _dispatch_in_thread(app, results):
    """run_once in a thread of its own (its own app context and session)."""
    def work():
        with app.app_context():
            results.append(dispatch.run_once())
            db.session.remove()
    thread = threading.Thread(target=work)
    thread.start()
    return thread


def test_a_status_posted_between_metas_answer_and_the_batch_commit_is_kept_and_applied(
        app, client, cloud, launch, clock):
    # A long window: Meta has answered (the wamid exists at Meta) well before the batch commits.
    app.config.update(DISPATCH_OUTCOME_WINDOW_MS=1500)
    launched = launch(phones=["+16505551234"], send=False)
    results = []
    thread = _dispatch_in_thread(app, results)
    wait_for(lambda: cloud.requests and "wamid" in cloud.requests[0], 10, "Meta's answer")
    wamid = cloud.requests[0]["wamid"]

    response = meta.post(client, meta.notification(statuses=[meta.status(wamid, "delivered", clock.now())]))
    assert response.status_code == 200
    assert launched.first().status == "pending"  # the status came first: the wamid was not committed yet
    thread.join(timeout=30)

    assert results == [{"sent": 1, "failed": 0}]
    first = launched.first()
    assert (first.wamid, first.status, first.delivered_at) == (wamid, "delivered", clock.now())
    assert launched.campaign().delivered_count == 1
    assert db.session.scalar(select(EarlyStatus.id)) is None  # applied, not kept any more


def test_a_status_for_a_wamid_that_never_comes_is_dropped_after_an_hour(client, clock):
    meta.post(client, meta.notification(statuses=[meta.status("wamid.someone-else", "delivered", clock.now())]))
    assert db.session.scalars(select(EarlyStatus.wamid)).all() == ["wamid.someone-else"]
    clock.advance(hours=1, seconds=1)

    meta.post(client, meta.notification(statuses=[meta.status("wamid.another", "sent", clock.now())]))

    db.session.expire_all()
    assert db.session.scalars(select(EarlyStatus.wamid)).all() == ["wamid.another"]


@pytest.mark.postgresql_only
def test_a_webhook_racing_an_outcome_batch_waits_for_its_commit_and_finds_the_wamid(
        app, client, cloud, launch, clock):
    # The batch has written the wamid and looked for kept statuses (none yet), but has not committed: the webhook's
    # first look cannot see the wamid. It must wait for the commit and look again, not keep a status no batch
    # will ever look for.
    app.config.update(DISPATCH_OUTCOME_WINDOW_MS=0)
    launched = launch(phones=["+16505551234"], send=False)
    in_commit, release = threading.Event(), threading.Event()

    def hold_the_outcome_commit(events):
        """Before-commit effect: stop the outcome batch's transaction just before its commit."""
        if any(e.name == "message.sent" for e in events):
            in_commit.set()
            release.wait(20)

    unit_of_work.on_before_commit(app, hold_the_outcome_commit)
    results, answers = [], []
    thread = _dispatch_in_thread(app, results)
    assert in_commit.wait(20), "the outcome batch never reached its commit"
    wamid = cloud.requests[0]["wamid"]
    payload = meta.notification(statuses=[meta.status(wamid, "read", clock.now())])

    def post():
        """The webhook, from a thread: it blocks until the batch commits."""
        with app.test_client() as other:
            answers.append(meta.post(other, payload).status_code)

    poster = threading.Thread(target=post)
    poster.start()
    # The webhook is answered (a broken lock) or waits for the batch's lock: then the batch may commit.
    wait_for(lambda: answers or waiting_for_a_lock(), 20, "the webhook to wait for the outcome batch")
    release.set()
    thread.join(timeout=30)
    poster.join(timeout=30)

    assert answers == [200] and results == [{"sent": 1, "failed": 0}]
    first = launched.first()
    assert (first.status, first.read_at) == ("read", clock.now())
    assert launched.campaign().read_count == 1
