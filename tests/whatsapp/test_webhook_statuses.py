"""Statuses from Meta's webhooks: applied by wamid, never backwards, once, set-based."""
import datetime as dt

import pytest
from sqlalchemy import update

from chatbot.extensions import db
from chatbot.models import Message
from chatbot.messaging import counters
from fakes import meta
from tests.whatsapp.conftest import interactions

A = "wamid.HBgLMTY1MDU1NTEyMzQVAgARGBI3NjQ4QTFCQjAzMDg1QjY1RjMA"  # the samples' message to +16505551234
B = "wamid.HBgLMTYzMTU1NTExODEVAgARGBJCNkY5NTBENEU3ODYxQTM3RUQA"
C = "wamid.HBgLMTQxNTU1NTAxMjMVAgARGBIyQzVGMzE5QjE3NkE0MjBFODYA"
PHONES = ["+16505551234", "+16315551181", "+14155550123"]


def at(seconds):
    """The samples' times: the frozen clock's 2026-01-15 12:00:00 UTC plus `seconds`."""
    return dt.datetime(2026, 1, 15, 12, 0, seconds, tzinfo=dt.timezone.utc)


def give_wamids(launched, *wamids):
    """Name the sent first messages with the samples' wamids."""
    for index, wamid in enumerate(wamids):
        db.session.execute(update(Message).where(Message.id == launched.first(index).id).values(wamid=wamid))
    db.session.commit()


def snapshot(launched):
    """Every column of the first messages and the counters, to compare before/after."""
    rows = [{c.name: getattr(launched.first(i), c.name) for c in Message.__table__.columns}
            for i in range(len(launched.contacts))]
    campaign = launched.campaign()
    return rows, {c: getattr(campaign, c) for c in counters.COUNTER_COLUMNS}


@pytest.fixture
def sent(launch):
    """A campaign whose three first messages carry the samples' wamids."""
    launched = launch(phones=PHONES)
    give_wamids(launched, A, B, C)
    return launched


def test_delivered_then_read_move_the_message_and_its_counters(client, sent):
    assert meta.post(client, meta.load("status_sent")).status_code == 200
    assert meta.post(client, meta.load("status_delivered")).status_code == 200
    message = sent.first()
    assert (message.status, message.delivered_at, message.read_at) == ("delivered", at(5), None)

    meta.post(client, meta.load("status_read"))

    message = sent.first()
    assert (message.status, message.read_at) == ("read", at(30))
    campaign = sent.campaign()
    assert (campaign.sent_count, campaign.delivered_count, campaign.read_count) == (3, 1, 1)


def test_a_late_delivered_does_not_move_read_back(client, sent):
    meta.post(client, meta.load("status_read"))

    meta.post(client, meta.load("status_delivered"))
    meta.post(client, meta.load("status_sent"))

    message = sent.first()
    assert (message.status, message.read_at, message.delivered_at) == ("read", at(30), None)
    assert (sent.campaign().delivered_count, sent.campaign().read_count) == (1, 1)


def test_a_redelivered_notification_changes_nothing(client, sent, clock):
    meta.post(client, meta.load("several_entries"))
    before = snapshot(sent)
    interactions_before = len(interactions())
    clock.advance(minutes=1)

    assert meta.post(client, meta.load("several_entries")).status_code == 200

    assert snapshot(sent) == before  # updated_at included
    assert len(interactions()) == interactions_before


def test_a_failed_status_records_metas_error(client, sent):
    meta.post(client, meta.load("status_failed"))

    message = sent.first()
    assert (message.status, message.failed_at, message.error_code) == ("failed", at(3), "131026")
    assert message.error_message == "Message undeliverable: Message Undeliverable."
    assert sent.campaign().failed_count == 1


def test_failed_is_final(client, sent):
    meta.post(client, meta.load("status_failed"))

    meta.post(client, meta.load("status_read"))

    assert sent.first().status == "failed" and sent.first().read_at is None


def test_unknown_wamids_are_ignored(client, sent):
    before = snapshot(sent)

    response = meta.post(client, meta.notification(statuses=[meta.status("wamid.unknown", "read", at(9))]))

    assert response.status_code == 200
    assert snapshot(sent) == before


def test_a_notification_with_several_entries_changes_and_statuses_applies_them_all(client, sent):
    response = meta.post(client, meta.load("several_entries"))

    assert response.status_code == 200
    assert response.get_json() == {"statuses": 5, "messages": 2, "changed": 3, "interactions": 1}
    a, b, c = (sent.first(i) for i in range(3))
    assert (a.status, a.delivered_at, a.read_at) == ("read", at(5), at(30))  # read came first in the list
    assert (b.status, b.delivered_at) == ("delivered", at(6))
    assert (c.status, c.error_code) == ("failed", "131047")
    assert c.error_message.startswith("Re-engagement message: Message failed to send because more than 24 hours")
    (answer,) = interactions()
    assert (answer.contact_id, answer.message_id, answer.body) == (sent.contacts[1]["id"], b.id, "Sounds good")
    campaign = sent.campaign()
    assert counters.compute([sent.campaign_id])[sent.campaign_id] == {
        c: getattr(campaign, c) for c in counters.COUNTER_COLUMNS}
    assert (campaign.delivered_count, campaign.read_count, campaign.failed_count,
            campaign.interaction_count) == (2, 1, 1, 1)


def test_statuses_are_applied_set_based(client, launch, count_statements):
    launched = launch(count=20)
    wamids = [launched.first(i).wamid for i in range(20)]

    def statements_for(n, name):
        """SQL statements run for one notification of `n` statuses."""
        with count_statements() as counter:
            meta.post(client, meta.notification(statuses=[meta.status(w, name, at(9)) for w in wamids[:n]]))
        return counter.count

    assert statements_for(2, "delivered") == statements_for(20, "read")  # not one statement per status
    assert launched.campaign().read_count == 20
