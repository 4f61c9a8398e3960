"""WHATSAPP_MESSAGING_LIMIT: unique users reached by first messages in a moving 24 h (issue 17, point 3).

The clock is driven: the window moves when the test says so."""
import datetime as dt
import threading

import pytest
from sqlalchemy import func, select

from chatbot.config import ConfigValueError, as_limit
from chatbot.extensions import db
from chatbot.messaging import dispatch, limit
from chatbot.models import Message
from fakes.cloud_api import marketing_limit
from tests import factories


def iso(when):
    """The API's UTC format."""
    return when.isoformat().replace("+00:00", "Z")


def sent_firsts():
    """How many first messages went out."""
    count = db.session.scalar(select(func.count()).select_from(Message)
                              .where(Message.step == 1, Message.status == "sent"))
    db.session.rollback()
    return count


def test_the_limit_stops_first_messages_and_the_window_moving_lets_the_rest_go(app, client, launch, clock):
    app.config["WHATSAPP_MESSAGING_LIMIT"] = 2
    started = clock.now()
    launched = launch(count=3)

    assert sent_firsts() == 2
    body = client.get(f"/api/campaigns/{launched.campaign_id}").get_json()
    assert body["blocked_until"] == iso(started + dt.timedelta(hours=24))
    assert client.get("/api/campaigns").get_json()["items"][0]["blocked_until"] == body["blocked_until"]

    clock.advance(hours=23, minutes=59)
    assert dispatch.run_once() == {"sent": 0, "failed": 0}
    clock.advance(minutes=1)  # the first two leave the window
    assert dispatch.run_once() == {"sent": 1, "failed": 0}
    assert client.get(f"/api/campaigns/{launched.campaign_id}").get_json()["blocked_until"] is None


def test_the_scheduler_probe_sees_nothing_due_while_the_limit_is_full(app, launch, clock):
    # The dispatcher must not wake every tick for first messages it may not send yet; a follow-up still wakes it.
    app.config["WHATSAPP_MESSAGING_LIMIT"] = 1
    launched = launch(count=2)
    assert sent_firsts() == 1 and dispatch.has_due() is False

    clock.advance(hours=24, minutes=1)  # the window moved: the held first message is due again
    assert dispatch.has_due() is True
    assert dispatch.run_once() == {"sent": 1, "failed": 0}
    assert dispatch.has_due() is False
    # The contact reached just now (which of the two went first is the claim's order: PostgreSQL does not fix it)
    # takes no other slot: a new first message to them is due.
    latest = max(range(2), key=lambda i: launched.first(i).sent_at)
    launch(contacts=[launched.contacts[latest]], send=False)
    assert dispatch.has_due() is True


def test_a_contact_already_reached_takes_no_other_slot(app, launch, clock):
    app.config["WHATSAPP_MESSAGING_LIMIT"] = 2
    earlier = launch(count=2)
    assert sent_firsts() == 2

    clock.advance(hours=1)
    later = launch(contacts=earlier.contacts + [factories.contact()])  # the same two, and one new

    assert [later.first(i).status for i in range(3)] == ["sent", "sent", "pending"]


def test_a_failed_first_message_reaches_nobody(app, cloud, launch):
    app.config["WHATSAPP_MESSAGING_LIMIT"] = 1
    cloud.script("+16505551234", marketing_limit())
    # One campaign after the other: within one campaign the claim's order (by id) decides who takes the one slot.
    refused = launch(phones=["+16505551234"])
    assert refused.first().status == "failed"

    # The failed message took no slot: the next contact is sent at once, in this run.
    launched = launch(phones=["+16315551181"], send=False)
    assert dispatch.run_once() == {"sent": 1, "failed": 0}
    assert launched.first().status == "sent"


def test_unlimited_claims_everything_and_says_nothing(app, client, launch):
    launched = launch(count=3)

    assert sent_firsts() == 3
    assert client.get(f"/api/campaigns/{launched.campaign_id}").get_json()["blocked_until"] is None
    category = factories.category()
    answer = client.get(f"/api/campaigns/audience?category_ids={category['id']}").get_json()
    assert answer["messaging_limit"] is None


def test_the_audience_answer_says_what_is_left_of_the_limit(app, client, launch):
    app.config["WHATSAPP_MESSAGING_LIMIT"] = 5
    launch(count=3)
    category = factories.category()

    answer = client.get(f"/api/campaigns/audience?category_ids={category['id']}").get_json()

    assert answer["messaging_limit"] == {"limit": 5, "remaining": 2}


@pytest.mark.parametrize("value, expected", [(None, None), ("", None), ("unlimited", None), ("250", 250)])
def test_the_setting_reads_a_positive_number_or_unlimited(value, expected):
    assert as_limit(value) == expected


@pytest.mark.parametrize("value", ["0", "-5", "lots"])
def test_a_bad_setting_stops_start_up_naming_it(value):
    with pytest.raises(ConfigValueError, match="WHATSAPP_MESSAGING_LIMIT"):
        as_limit(value)


@pytest.mark.postgresql_only
def test_two_dispatchers_claiming_at_once_never_overshoot_the_limit(app, launch):
    app.config["WHATSAPP_MESSAGING_LIMIT"] = 5
    launch(count=40, send=False)
    start, claimed, errors = threading.Barrier(4), [], []

    def claimer():
        """One dispatcher's claim, in its own session, released at the same moment as the others."""
        try:
            with app.app_context():
                start.wait(timeout=10)
                claimed.extend(dispatch.claim(20, lease_seconds=300))
                db.session.remove()
        except Exception as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=claimer) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert not errors
    assert len(claimed) == 5 and len({c.id for c in claimed}) == 5
    assert limit.count_reached(dt.datetime(2000, 1, 1, tzinfo=dt.timezone.utc)) == 5
