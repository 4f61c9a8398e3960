"""Contacts' answers: recorded once, linked to the first message they answer, second message queued once."""
import datetime as dt
import logging

import pytest
from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError

from chatbot.extensions import db
from chatbot.models import Campaign, Contact, Message
from chatbot.messaging import dispatch
from fakes import meta
from tests.whatsapp.conftest import interactions

PHONE = "+16505551234"
SAMPLE_FIRST = "wamid.HBgLMTY1MDU1NTEyMzQVAgARGBI3NjQ4QTFCQjAzMDg1QjY1RjMA"


def at(seconds):
    """The frozen clock's 2026-01-15 12:00:00 UTC plus `seconds`."""
    return dt.datetime(2026, 1, 15, 12, 0, tzinfo=dt.timezone.utc) + dt.timedelta(seconds=seconds)


def contact_row(contact_id):
    """The contact, fresh."""
    db.session.expire_all()
    return db.session.get(Contact, contact_id)


@pytest.mark.parametrize("sample, kind, body, seconds", [
    ("message_text", "text", "Yes, tell me more!", 60),
    ("message_button_reply", "interactive", "I'm interested", 70),
    ("message_list_reply", "interactive", "Express shipping", 75),
    ("message_template_button", "button", "Yes, tell me more", 80),
])
def test_an_answer_is_recorded_and_queues_the_second_message(client, launch, sample, kind, body, seconds):
    launched = launch(phones=[PHONE], second={"text": "Great, here is the offer"})

    assert meta.post(client, meta.load(sample)).status_code == 200

    (answer,) = interactions()
    first = launched.first()
    assert (answer.kind, answer.body, answer.occurred_at) == (kind, body, at(seconds))
    assert (answer.message_id, answer.campaign_id) == (first.id, launched.campaign_id)
    assert first.interacted_at == at(seconds)
    assert contact_row(launched.contacts[0]["id"]).last_interaction_at == at(seconds)
    second = launched.second()
    assert (second.status, second.body, second.step) == ("pending", {"text": "Great, here is the offer"}, 2)
    assert launched.campaign().interaction_count == 1


def test_more_answers_are_recorded_but_count_and_queue_once(client, launch):
    launched = launch(phones=[PHONE])
    for sample in ("message_text", "message_button_reply", "message_template_button"):
        meta.post(client, meta.load(sample))

    assert len(interactions()) == 3
    assert launched.first().interacted_at == at(60)  # the first answer
    assert contact_row(launched.contacts[0]["id"]).last_interaction_at == at(80)  # the latest
    assert launched.campaign().interaction_count == 1
    assert db.session.scalar(select(Message.id).where(Message.step == 2).offset(1)) is None


def test_a_redelivered_answer_is_recorded_once(client, launch):
    launched = launch(phones=[PHONE])

    for _ in range(3):
        meta.post(client, meta.load("message_text"))

    assert len(interactions()) == 1
    assert launched.campaign().interaction_count == 1


def test_an_answer_delivered_late_does_not_move_last_interaction_back(client, launch):
    launched = launch(phones=[PHONE])
    meta.post(client, meta.load("message_template_button"))

    meta.post(client, meta.load("message_text"))  # older, arriving later

    assert contact_row(launched.contacts[0]["id"]).last_interaction_at == at(80)


def test_the_second_message_is_unique_per_campaign_and_contact_in_the_database(client, launch, clock):
    launched = launch(phones=[PHONE])
    meta.post(client, meta.load("message_text"))

    with pytest.raises(IntegrityError):
        db.session.execute(insert(Message).values(campaign_id=launched.campaign_id, step=2, status="pending",
                                                  contact_id=launched.contacts[0]["id"], body={"text": "again"},
                                                  created_at=clock.now(), updated_at=clock.now()))
    db.session.rollback()


def test_the_queued_second_message_is_then_sent(client, launch):
    launched = launch(phones=[PHONE], second={"text": "Here you go"})
    meta.post(client, meta.load("message_text"))

    assert dispatch.run_once() == {"sent": 1, "failed": 0}

    second = launched.second()
    assert second.status == "sent" and second.wamid
    assert launched.campaign().sent_count == 1  # counters are over first messages only


def test_an_unknown_number_is_logged_masked_and_kept_out_of_the_statistics(client, launch, caplog):
    caplog.set_level(logging.INFO, logger="chatbot.messaging.answers")
    launched = launch(phones=["+16315551181"])

    response = meta.post(client, meta.load("message_text"))

    assert response.status_code == 200
    assert interactions() == []
    assert client.get("/api/messages/stats").get_json()["interactions"]["total"] == 0
    assert launched.campaign().interaction_count == 0
    logged = " ".join(r.getMessage() for r in caplog.records)
    assert "+1650*****34" in logged and PHONE not in logged


def test_an_answer_before_the_first_message_was_sent_answers_nothing(client, launch, clock):
    launched = launch(phones=[PHONE], send=False)
    clock.advance(minutes=5)
    dispatch.run_once()  # sent at 12:05, the sample answer is from 12:01

    meta.post(client, meta.load("message_text"))

    (answer,) = interactions()
    assert answer.message_id is None and answer.campaign_id is None
    assert launched.first().interacted_at is None and launched.second() is None


@pytest.mark.parametrize("campaign_status, message_status", [("completed", "read"), ("running", "no_interaction"),
                                                             ("running", "failed")])
def test_answers_do_not_reopen_finished_campaigns_or_messages(client, launch, campaign_status, message_status):
    launched = launch(phones=[PHONE])
    db.session.execute(update(Campaign).where(Campaign.id == launched.campaign_id).values(status=campaign_status))
    db.session.execute(update(Message).where(Message.id == launched.first().id).values(status=message_status))
    db.session.commit()

    meta.post(client, meta.load("message_text"))

    (answer,) = interactions()  # still an interaction of the contact
    assert answer.message_id is None
    assert launched.first().interacted_at is None and launched.second() is None


def test_an_answer_goes_to_the_latest_campaign_sent_before_it(client, launch, clock):
    older = launch(phones=[PHONE])
    clock.advance(seconds=30)
    newer = launch(contacts=older.contacts)
    clock.advance(seconds=60)

    meta.post(client, meta.notification(messages=[meta.text("wamid.answer.1", PHONE, clock.now())]))

    assert newer.first().interacted_at == clock.now()
    assert older.first().interacted_at is None
    assert newer.second() is not None and older.second() is None


def test_an_answer_stamped_in_the_second_the_message_was_sent_answers_it(client, launch, clock):
    clock.advance(seconds=0.7)  # sent at 12:00:00.7; Meta stamps an answer at 12:00:00.9 as 12:00:00
    launched = launch(phones=[PHONE])

    meta.post(client, meta.notification(messages=[meta.text("wamid.quick", PHONE, at(0))]))

    assert launched.first().interacted_at == at(0)
