"""Opt-outs: keyword answers opt a contact out (and back in), fail their pending messages, and the dispatcher
never sends to an opted-out contact."""
import itertools
import threading

import pytest
from sqlalchemy import select, update

from chatbot.extensions import db
from chatbot.messaging import counters, dispatch, monitoring
from chatbot.models import COUNTER_COLUMNS, Campaign, Contact, Message
from fakes import meta
from tests import factories
from tests.whatsapp.conftest import interactions

PHONE = "+16505551234"
OTHER = "+16315551181"
_wamids = itertools.count(1)


def answer(client, clock, body, phone=PHONE, kind="text"):
    """The contact writes (or taps) `body` a minute later; returns the notification posted."""
    clock.advance(minutes=1)
    wamid = f"wamid.answer.{next(_wamids)}"
    if kind == "button":
        item = meta.template_button(wamid, phone, clock.now(), "wamid.context", text_=body)
    else:
        item = meta.text(wamid, phone, clock.now(), body)
    payload = meta.notification(messages=[item])
    assert meta.post(client, payload).status_code == 200
    return payload


def contact_of(phone):
    """The contact row, fresh."""
    db.session.expire_all()
    return db.session.scalar(select(Contact).where(Contact.phone == phone))


def assert_counters_exact():
    """Every campaign's kept counters equal the ones recomputed from its messages."""
    db.session.expire_all()
    campaigns = db.session.scalars(select(Campaign)).all()
    expected = counters.compute([c.id for c in campaigns])
    for campaign in campaigns:
        assert {n: getattr(campaign, n) for n in COUNTER_COLUMNS} == expected[campaign.id]


@pytest.mark.parametrize("body", [" stop ", "Stop", "STOPP", "ARRÊT", "arret", "Arrêt", "Baja", "unsubscribe",
                                  "\tPARAR\n"])
def test_an_opt_out_keyword_opts_out_records_the_interaction_and_queues_nothing(client, launch, clock, body):
    launched = launch(phones=[PHONE])

    answer(client, clock, body)

    assert contact_of(PHONE).opted_out_at == clock.now()
    (recorded,) = interactions()
    assert recorded.body == body and recorded.message_id == launched.first().id
    assert launched.first().interacted_at == clock.now()
    assert launched.campaign().interaction_count == 1  # counted like any answer
    assert launched.second() is None


@pytest.mark.parametrize("body", ["STOP please", "🛑", "stop.", "Yes", "STO P"])
def test_other_answers_do_not_opt_out(client, launch, clock, body):
    launched = launch(phones=[PHONE])

    answer(client, clock, body)

    assert contact_of(PHONE).opted_out_at is None
    assert launched.second().status == "pending"


def test_a_template_button_labelled_stop_opts_out(client, launch, clock):
    launched = launch(phones=[PHONE])

    answer(client, clock, "Stop", kind="button")

    assert contact_of(PHONE).opted_out_at is not None and launched.second() is None


def test_start_opts_back_in_without_a_second_message(client, launch, clock):
    launched = launch(phones=[PHONE])
    answer(client, clock, "STOP")

    answer(client, clock, " start ")

    assert contact_of(PHONE).opted_out_at is None
    assert len(interactions()) == 2
    assert launched.second() is None
    assert launched.campaign().interaction_count == 1


def test_an_opt_out_fails_the_pending_messages_of_every_campaign_with_exact_counters(client, launch, clock):
    answered = launch(phones=[PHONE, OTHER])
    pending_a = launch(contacts=answered.contacts, send=False)
    pending_b = launch(contacts=answered.contacts, send=False)
    stats = client.get("/api/messages/stats").get_json()  # cached now
    assert stats["contacts"]["opted_out"] == 0

    answer(client, clock, "Stop")

    for launched in (pending_a, pending_b):
        stopped, other = launched.first(0), launched.first(1)
        assert (stopped.status, stopped.error_code, stopped.failed_at) == ("failed", "opted_out", clock.now())
        assert other.status == "pending"
        assert launched.campaign().failed_count == 1
    assert_counters_exact()
    stats = client.get("/api/messages/stats").get_json()
    assert stats["contacts"]["opted_out"] == 1 and stats["messages"]["failed"] == 2
    today = monitoring.daily(1)["items"][0]
    assert (today["failed"], today["interactions"]) == (2, 1)


def test_an_opted_out_contact_writing_again_gets_no_second_message(client, launch, clock):
    launched = launch(phones=[PHONE])
    answer(client, clock, "STOP")

    answer(client, clock, "Actually, yes")

    assert launched.second() is None and len(interactions()) == 2
    assert contact_of(PHONE).opted_out_at is not None


def test_a_stop_without_any_message_to_answer_still_opts_out(client, clock):
    contact = factories.contact(number=PHONE)

    answer(client, clock, "STOP")

    (recorded,) = interactions()
    assert (recorded.contact_id, recorded.message_id, recorded.campaign_id) == (contact["id"], None, None)
    assert contact_of(PHONE).opted_out_at == clock.now()


def test_the_second_message_already_queued_is_failed_by_a_later_opt_out(client, launch, clock):
    launched = launch(phones=[PHONE], send=False)
    dispatch.run_once()
    answer(client, clock, "Yes please")
    assert launched.second().status == "pending"

    answer(client, clock, "STOP")

    assert (launched.second().status, launched.second().error_code) == ("failed", "opted_out")
    assert_counters_exact()


def test_a_redelivered_opt_out_changes_nothing_the_second_time(client, launch, clock):
    launch(phones=[PHONE])
    stop = answer(client, clock, "STOP")
    answer(client, clock, "START")
    later = launch(contacts=[{"id": contact_of(PHONE).id, "phone": PHONE}], send=False)

    assert meta.post(client, stop).status_code == 200

    assert contact_of(PHONE).opted_out_at is None
    assert later.first().status == "pending"
    assert len(interactions()) == 2
    assert_counters_exact()


def opt_out_directly(phone, clock):
    """Opt a contact out by SQL (as an operator repairing data would), bypassing every rule."""
    db.session.execute(update(Contact).where(Contact.phone == phone).values(opted_out_at=clock.now()))
    db.session.commit()


def test_the_dispatcher_fails_instead_of_sending_to_an_opted_out_contact(cloud, launch, clock):
    launched = launch(phones=[PHONE, OTHER], send=False)
    opt_out_directly(PHONE, clock)

    assert dispatch.run_once() == {"sent": 1, "failed": 0}

    assert cloud.sent_to() == [OTHER]
    stopped = launched.first(0)
    assert (stopped.status, stopped.error_code, stopped.attempts) == ("failed", "opted_out", 0)
    campaign = launched.campaign()
    assert (campaign.sent_count, campaign.failed_count) == (1, 1)
    assert_counters_exact()
    assert monitoring.daily(1)["items"][0]["failed"] == 1


def test_a_batch_of_opted_out_contacts_only_does_not_stop_the_queue(app, cloud, launch, clock):
    app.config["DISPATCH_BATCH_SIZE"] = 2
    launched = launch(phones=[PHONE, "+14155550123", OTHER], send=False)
    opt_out_directly(PHONE, clock)
    opt_out_directly("+14155550123", clock)

    assert dispatch.run_once() == {"sent": 1, "failed": 0}

    assert cloud.sent_to() == [OTHER]
    assert db.session.scalar(select(Message.id).where(Message.status == "pending")) is None
    assert launched.campaign().failed_count == 2


def test_accents_are_ignored_both_ways(app, client, launch, clock):
    app.config["OPT_OUT_KEYWORDS"] = ["ARRET", "DÉSABONNER"]
    launch(phones=[PHONE, OTHER])

    answer(client, clock, "Arrêt")
    answer(client, clock, "desabonner", phone=OTHER)

    assert contact_of(PHONE).opted_out_at is not None and contact_of(OTHER).opted_out_at is not None


def test_a_start_delivered_after_a_later_stop_does_not_opt_back_in(client, launch, clock):
    launch(phones=[PHONE])
    clock.advance(minutes=1)
    start_at = clock.now()
    answer(client, clock, "STOP")

    meta.post(client, meta.notification(messages=[meta.text("wamid.late.start", PHONE, start_at, "START")]))

    assert contact_of(PHONE).opted_out_at == clock.now()


@pytest.mark.postgresql_only
def test_opt_outs_during_a_dispatch_keep_counters_exact_and_leave_nothing_queued(app, cloud, launch, clock):
    app.config.update(DISPATCH_BATCH_SIZE=5, DISPATCH_RATE_PER_SECOND=0)
    cloud.latency = 0.01
    first = launch(count=30, send=False)
    second = launch(contacts=first.contacts, send=False)
    stopping = first.phones[::3]
    failures = []

    def stop_all():
        """Meta delivers the STOPs one by one while the dispatcher sends."""
        client = app.test_client()
        for n, phone in enumerate(stopping):
            payload = meta.notification(messages=[meta.text(f"wamid.race.{n}", phone, clock.now(), "STOP")])
            if meta.post(client, payload).status_code != 200:
                failures.append(phone)

    def send_all():
        """The dispatcher, in its own app context as the scheduler runs it."""
        with app.app_context():
            dispatch.run_once()

    threads = [threading.Thread(target=stop_all), threading.Thread(target=send_all)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert failures == []
    db.session.expire_all()
    messages = db.session.scalars(select(Message)).all()
    assert not [m for m in messages if m.status == "pending"]
    opted_out = {c.id for c in db.session.scalars(select(Contact).where(Contact.opted_out_at.is_not(None)))}
    assert len(opted_out) == len(stopping)
    for m in messages:
        assert m.status == "sent" or (m.contact_id in opted_out and m.error_code == "opted_out"), m.status
    assert_counters_exact()
    today = monitoring.daily(1)["items"][0]
    assert (today["sent"], today["failed"]) == (sum(m.status == "sent" for m in messages),
                                                sum(m.status == "failed" for m in messages))
    assert second.campaign().total_count == 30
