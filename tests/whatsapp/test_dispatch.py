"""Dispatch: batches, pacing, leases, SKIP LOCKED claims, two dispatchers at once, `flask dispatch`."""
import datetime as dt
import threading

import pytest
from sqlalchemy import create_engine, select, text, update

from chatbot.extensions import db
from chatbot.models import Message
from tests.whatsapp.conftest import dispatch_at_once
from chatbot.messaging import audit, dispatch


def all_messages():
    """Every message, by id."""
    db.session.expire_all()
    return db.session.scalars(select(Message).order_by(Message.id)).all()


def test_run_once_sends_the_queue_and_counts_sent_and_failed(cloud, launch):
    cloud.fail_numbers["+14155550123"] = {"status": 400, "body": {"error": {
        "message": "Message undeliverable", "code": 131026, "error_data": {"details": "Message Undeliverable."}}}}
    launched = launch(phones=["+16505551234", "+16315551181", "+14155550123"], send=False)

    assert dispatch.run_once() == {"sent": 2, "failed": 1}

    campaign = launched.campaign()
    assert (campaign.sent_count, campaign.failed_count, campaign.total_count) == (2, 1, 3)
    assert dispatch.run_once() == {"sent": 0, "failed": 0}  # nothing left


def test_run_once_goes_through_every_batch(app, launch):
    app.config["DISPATCH_BATCH_SIZE"] = 2
    launch(count=5, send=False)

    assert dispatch.run_once() == {"sent": 5, "failed": 0}
    assert {m.status for m in all_messages()} == {"sent"}


def test_only_due_messages_are_sent(app, launch, clock):
    launch(count=2, send=False)
    later = all_messages()[0]
    db.session.execute(update(Message).where(Message.id == later.id)
                       .values(next_attempt_at=clock.now() + dt.timedelta(minutes=1)))
    db.session.commit()

    assert dispatch.run_once() == {"sent": 1, "failed": 0}
    clock.advance(minutes=1)
    assert dispatch.run_once() == {"sent": 1, "failed": 0}


def test_the_limiter_spaces_sends_at_the_configured_rate(app, launch, clock):
    app.config.update(DISPATCH_RATE_PER_SECOND=80, DISPATCH_BATCH_SIZE=50, DISPATCH_CONCURRENCY=1)
    launch(count=81, send=False)

    assert dispatch.run_once()["sent"] == 81

    sent = sorted(m.sent_at for m in all_messages())
    gaps = [(b - a).total_seconds() for a, b in zip(sent, sent[1:])]
    assert min(gaps) >= 1 / 80 - 1e-6  # never two sends closer than 12.5 ms
    assert (sent[-1] - sent[0]).total_seconds() == pytest.approx(80 / 80, abs=0.01)  # 80 a second


def test_the_limiter_can_be_turned_off(app, launch, clock):
    app.config["DISPATCH_RATE_PER_SECOND"] = 0
    launch(count=20, send=False)
    before = clock.now()

    dispatch.run_once()

    assert {m.sent_at for m in all_messages()} == {before}


def test_a_claimed_batch_is_leased_to_its_dispatcher(app, launch, clock):
    launch(count=3, send=False)

    claimed = dispatch.claim(10, lease_seconds=300)

    assert len(claimed) == 3
    assert dispatch.claim(10, lease_seconds=300) == []  # another dispatcher finds nothing
    assert {(m.attempts, m.next_attempt_at) for m in all_messages()} == {(1, clock.now() + dt.timedelta(minutes=5))}
    clock.advance(minutes=5)  # the dispatcher died: its attempts began, so they may have been sent
    assert dispatch.claim(10, lease_seconds=300) == []  # never re-sent by itself (issue 17, point 5)
    assert [m.id for m in audit.in_doubt()] == [c.id for c in claimed]
    audit.resend([c.id for c in claimed])  # an operator checked: not sent
    assert len(dispatch.claim(10, lease_seconds=300)) == 3


@pytest.mark.postgresql_only
def test_claim_skips_rows_another_dispatcher_holds_instead_of_waiting(app, launch):
    launch(count=4, send=False)
    first_id = all_messages()[0].id
    other = create_engine(db.engine.url)
    with other.connect() as conn:
        conn.execute(text("SELECT id FROM messages WHERE id = :id FOR UPDATE"), {"id": first_id})
        found = []
        worker = threading.Thread(target=_claim_in_context, args=(app, found))
        worker.start()
        worker.join(timeout=5)
        assert not worker.is_alive(), "claim waited for the locked row"
        conn.rollback()
    other.dispose()
    assert len(found) == 3 and first_id not in {c.id for c in found}


def _claim_in_context(app, found):
    """Claim from another thread (its own session), keeping what it got."""
    with app.app_context():
        found.extend(dispatch.claim(10, lease_seconds=300))
        db.session.remove()


@pytest.mark.postgresql_only
def test_two_dispatchers_at_once_send_each_message_exactly_once(app, cloud, launch):
    # A client timeout longer than the hold: a held send is never abandoned and retried (which would open
    # a fifth request from one dispatcher, and POST a message twice).
    app.config.update(DISPATCH_BATCH_SIZE=7, DISPATCH_RATE_PER_SECOND=0, DISPATCH_CONCURRENCY=4,
                      WHATSAPP_TIMEOUT_SECONDS=60)
    # One dispatcher has at most 4 sends open: the Cloud API answers nobody until 5 are open at once,
    # so both dispatchers have claimed a batch and POSTed before either gets an answer.
    cloud.hold(5, timeout=20)
    launched = launch(count=120, send=False)
    results = dispatch_at_once(app, timeout=60)
    assert cloud.held, "the two dispatchers never had sends open at the same time"
    assert all(r["sent"] > 0 for r in results), results  # both really worked
    posted = cloud.sent_to()
    assert len(posted) == 120 and set(posted) == set(launched.phones)  # each message POSTed exactly once
    assert sum(r["sent"] for r in results) == 120 and all(r["failed"] == 0 for r in results)
    assert launched.campaign().sent_count == 120
    assert {m.status for m in all_messages()} == {"sent"}


def test_flask_dispatch_prints_how_many_were_sent_and_failed(runner, launch):
    launch(count=2, send=False)

    result = runner.invoke(args=["dispatch"])

    assert result.exit_code == 0, result.output
    assert result.output.strip() == "sent 2, failed 0"


def test_flask_dispatch_explains_a_misconfigured_transport(app, runner):
    app.config.update(WHATSAPP_TRANSPORT="cloud", WHATSAPP_TOKEN=None)

    result = runner.invoke(args=["dispatch"])

    assert result.exit_code == 1
    assert "WHATSAPP_TRANSPORT=cloud needs WHATSAPP_TOKEN" in result.output
