"""Dispatch and a paused campaign: its pending messages stay queued, unclaimed and not due, until it resumes."""
import threading
import time

import pytest
from sqlalchemy import text

from chatbot.extensions import db
from chatbot.messaging import dispatch
from chatbot.messaging.gate import AdvisoryGate, LocalGate
from chatbot.services import campaigns
from tests.whatsapp.test_dispatch import all_messages


def statuses(launched):
    """{status: how many} of a campaign's first messages."""
    found = {}
    for message in all_messages():
        if message.campaign_id == launched.campaign_id:
            found[message.status] = found.get(message.status, 0) + 1
    return found


def test_a_paused_campaigns_messages_are_neither_due_nor_claimed_nor_sent(app, cloud, launch):
    paused = launch(count=3, send=False)
    running = launch(count=2, send=False)
    campaigns.pause_campaign(paused.campaign_id)

    assert dispatch.claim(10, lease_seconds=300) != []  # the running campaign's messages only
    assert {m.campaign_id for m in all_messages() if m.attempts} == {running.campaign_id}
    assert dispatch.has_due() is False  # what is left is paused: the scheduler does not spin on it
    assert dispatch.run_once() == {"sent": 0, "failed": 0}
    assert statuses(paused) == {"pending": 3}
    assert cloud.sent_to() == []


def test_resume_makes_the_pending_messages_due_again_and_they_are_sent(app, cloud, launch, clock):
    launched = launch(count=3, send=False)
    campaigns.pause_campaign(launched.campaign_id)
    assert dispatch.run_once() == {"sent": 0, "failed": 0}
    campaigns.resume_campaign(launched.campaign_id)
    assert dispatch.has_due() is True
    assert dispatch.run_once() == {"sent": 3, "failed": 0}
    assert sorted(cloud.sent_to()) == sorted(launched.phones)
    assert launched.campaign().sent_count == 3


def test_messages_without_a_campaign_are_still_sent_while_a_campaign_is_paused(app, cloud, launch):
    launched = launch(count=1, send=False)
    campaigns.pause_campaign(launched.campaign_id)
    message = all_messages()[0]
    message.campaign_id = None  # e.g. a message sent by hand: no campaign to pause
    db.session.commit()
    assert dispatch.has_due() is True
    assert dispatch.run_once() == {"sent": 1, "failed": 0}


def check_gate(gate, until_draining):
    """A drain waits for the pass held before it, new passes are refused meanwhile, and given again after."""
    held = gate.try_enter()
    drained = threading.Event()
    drainer = threading.Thread(target=lambda: (gate.drain(), drained.set()))
    drainer.start()
    until_draining()
    assert gate.try_enter() is None  # a new batch would keep the pause waiting: refused
    assert not drained.is_set()
    held.leave()
    drainer.join(timeout=5)
    assert drained.is_set()
    later = gate.try_enter()
    assert later is not None
    later.leave()


def test_the_local_gate_refuses_new_passes_while_a_drain_waits_and_lets_it_through_after_the_held_ones():
    gate = LocalGate()

    def until_draining():
        with gate.changed:
            gate.changed.wait_for(lambda: gate.draining, timeout=5)
    check_gate(gate, until_draining)


@pytest.mark.postgresql_only
def test_the_advisory_gate_refuses_new_passes_while_a_drain_waits_across_connections(app):
    waiting = "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND mode = 'ExclusiveLock' AND NOT granted"

    def until_draining():
        deadline = time.monotonic() + 5
        while db.session.scalar(text(waiting)) == 0 and time.monotonic() < deadline:
            db.session.rollback()
            time.sleep(0.01)
        db.session.rollback()
    check_gate(AdvisoryGate(db.engine), until_draining)
