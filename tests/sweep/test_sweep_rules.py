"""Which first messages the sweep marks `no_interaction`: time boundary, answers, statuses, steps."""
import datetime as dt

import pytest

from chatbot.messaging import sweep
from tests import factories
from tests.sweep import data

MICROSECOND = dt.timedelta(microseconds=1)


@pytest.fixture
def sent(app, clock):
    """A campaign to one contact whose first message went out now: (campaign id, contact id, sent_at)."""
    campaign_id, (contact_id,) = data.launched(contacts=1)
    data.send(campaign_id, clock.now())
    return campaign_id, contact_id, clock.now()


def test_a_message_sent_exactly_24_hours_ago_is_marked(sent, clock):
    campaign_id, contact_id, sent_at = sent
    clock.set(sent_at + dt.timedelta(hours=24))
    assert sweep.run()["marked"] == 1
    assert data.statuses(campaign_id) == {contact_id: "no_interaction"}


def test_a_message_sent_a_microsecond_less_than_24_hours_ago_is_left_alone(sent, clock):
    campaign_id, contact_id, sent_at = sent
    clock.set(sent_at + dt.timedelta(hours=24) - MICROSECOND)
    assert sweep.run()["marked"] == 0
    assert data.statuses(campaign_id) == {contact_id: "sent"}


def test_delivered_and_read_messages_are_marked_too(app, clock):
    campaign_id, (delivered, read) = data.launched(contacts=2)
    data.send(campaign_id, clock.now(), "delivered", [delivered])
    data.send(campaign_id, clock.now(), "read", [read])
    clock.advance(hours=25)
    assert sweep.run()["marked"] == 2
    assert data.statuses(campaign_id) == {delivered: "no_interaction", read: "no_interaction"}


def test_an_answer_before_the_first_message_was_sent_does_not_count(app, clock):
    campaign_id, (contact_id,) = data.launched(contacts=1)
    data.answer(contact_id, clock.now() - dt.timedelta(hours=1))
    data.send(campaign_id, clock.now())
    clock.advance(hours=24)
    assert sweep.run()["marked"] == 1
    assert data.statuses(campaign_id) == {contact_id: "no_interaction"}


@pytest.mark.parametrize("after", [dt.timedelta(0), dt.timedelta(hours=23)], ids=["at-sent_at", "23h-later"])
def test_an_answer_at_or_after_the_send_spares_the_contact(sent, clock, after):
    campaign_id, contact_id, sent_at = sent
    data.answer(contact_id, sent_at + after)
    clock.advance(hours=48)
    assert sweep.run()["marked"] == 0
    assert data.statuses(campaign_id) == {contact_id: "sent"}


def test_an_answer_to_another_campaign_also_spares_the_contact(sent, clock):
    campaign_id, contact_id, sent_at = sent
    other_id, _ = data.launched(category_ids=[factories.category()["id"]])
    data.answer(contact_id, sent_at + dt.timedelta(hours=2), campaign_id=other_id)
    clock.advance(hours=30)
    assert sweep.run()["marked"] == 0
    assert data.statuses(campaign_id) == {contact_id: "sent"}


def test_a_message_with_interacted_at_set_is_never_marked(sent, clock):
    campaign_id, contact_id, sent_at = sent
    data.answer(contact_id, sent_at + dt.timedelta(minutes=5), campaign_id=campaign_id, mark_message=True)
    clock.advance(hours=30)
    assert sweep.run()["marked"] == 0
    assert data.statuses(campaign_id) == {contact_id: "sent"}


def test_failed_and_pending_messages_are_never_marked(app, clock):
    campaign_id, (failed, pending) = data.launched(contacts=2)
    data.send(campaign_id, clock.now(), "failed", [failed])
    clock.advance(hours=72)
    assert sweep.run()["marked"] == 0
    assert data.statuses(campaign_id) == {failed: "failed", pending: "pending"}


def test_second_messages_are_never_marked(sent, clock):
    campaign_id, contact_id, sent_at = sent
    data.answer(contact_id, sent_at + dt.timedelta(minutes=1), campaign_id=campaign_id, mark_message=True)
    data.second_message(campaign_id, contact_id, sent_at + dt.timedelta(minutes=2))
    clock.advance(hours=72)
    assert sweep.run()["marked"] == 0
    assert data.statuses(campaign_id, step=2) == {contact_id: "sent"}


def test_the_threshold_comes_from_no_interaction_after_hours(app_config, clock):
    app_config["NO_INTERACTION_AFTER_HOURS"] = 2
    from chatbot import create_app
    app = create_app(app_config)
    with app.app_context():
        campaign_id, (contact_id,) = data.launched(contacts=1)
        data.send(campaign_id, clock.now())
        clock.advance(hours=1, minutes=59)
        assert sweep.run()["marked"] == 0
        clock.advance(minutes=1)
        assert sweep.run()["marked"] == 1


def test_a_message_is_marked_once_however_often_the_sweep_runs(sent, clock, redis_client):
    campaign_id, contact_id, sent_at = sent
    clock.advance(hours=25)
    first = sweep.run()
    state = data.snapshot()
    assert sweep.run() == {"marked": 0, "completed": 0, "duration_ms": 0.0}
    assert data.snapshot() == state
    assert first["marked"] == 1
    day = f"monitoring:daily:{clock.now().date().isoformat()}"
    assert redis_client.hget(day, "no_interaction") == b"1"
