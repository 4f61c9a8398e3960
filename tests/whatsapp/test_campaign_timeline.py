"""GET /api/campaigns/<id>/timeline: the first messages' moments per hour or day, from a driven clock."""
import pytest
from sqlalchemy import event, text, update

from chatbot.extensions import db
from chatbot.messaging import dispatch
from chatbot.models import Message
from tests import factories
from tests.api import expect

PHONES = ["+16505551234", "+16315551181", "+14155550123", "+14155550124"]


def stamp(launched, index, **columns):
    """Set timestamps of one contact's first message (what the status webhooks and answers write)."""
    db.session.execute(update(Message).where(Message.id == launched.first(index).id).values(**columns))
    db.session.commit()


@pytest.fixture
def story(cloud, launch, clock):
    """Sent at 12:00 (one fails), two delivered at 13:20 and 13:40, one read and answered the next day at 09:05."""
    cloud.fail_numbers[PHONES[3]] = {"status": 400, "body": {"error": {"message": "undeliverable", "code": 131026}}}
    launched = launch(phones=PHONES)  # dispatched at the frozen 2026-01-15 12:00
    clock.advance(minutes=80)
    stamp(launched, 0, delivered_at=clock.now(), status="delivered")
    clock.advance(minutes=20)
    stamp(launched, 1, delivered_at=clock.now(), status="delivered")
    clock.advance(hours=19, minutes=25)
    stamp(launched, 0, read_at=clock.now(), interacted_at=clock.now(), status="read")
    # Neither another campaign's messages nor second messages count.
    other = launch(count=2)
    factories.message(launched.contacts[0]["id"], launched.campaign_id, step=2, status="sent", sent_at=clock.now())
    assert other.campaign_id != launched.campaign_id
    return launched


def row(at, sent=0, delivered=0, read=0, interactions=0, failed=0):
    """One expected bucket."""
    return {"at": at, "sent": sent, "delivered": delivered, "read": read, "interactions": interactions,
            "failed": failed}


def test_hourly_buckets_oldest_first_without_the_empty_ones(client, story):
    body = client.get(f"/api/campaigns/{story.campaign_id}/timeline").get_json()
    assert body == {"items": [row("2026-01-15T12:00:00Z", sent=3, failed=1),
                              row("2026-01-15T13:00:00Z", delivered=2),
                              row("2026-01-16T09:00:00Z", read=1, interactions=1)]}
    assert client.get(f"/api/campaigns/{story.campaign_id}/timeline?bucket=hour").get_json() == body


def test_daily_buckets_start_at_midnight_utc(client, story):
    body = client.get(f"/api/campaigns/{story.campaign_id}/timeline?bucket=day").get_json()
    assert body == {"items": [row("2026-01-15T00:00:00Z", sent=3, delivered=2, failed=1),
                              row("2026-01-16T00:00:00Z", read=1, interactions=1)]}


def test_a_draft_has_an_empty_timeline(client):
    campaign = factories.campaign([factories.category()["id"]])
    assert client.get(f"/api/campaigns/{campaign['id']}/timeline").get_json() == {"items": []}


@pytest.mark.parametrize("bucket", ["week", "HOUR", "", "minute"])
def test_an_unknown_bucket_is_422(client, bucket):
    campaign = factories.campaign([factories.category()["id"]])
    details = expect.error(client.get(f"/api/campaigns/{campaign['id']}/timeline?bucket={bucket}"),
                           422, "validation_error")
    assert list(details) == ["bucket"]


def test_the_timeline_of_a_queued_campaign_is_empty_until_sent(client, launch, clock):
    launched = launch(count=2, send=False)
    assert client.get(f"/api/campaigns/{launched.campaign_id}/timeline").get_json() == {"items": []}
    clock.advance(minutes=5)
    dispatch.run_once()
    assert client.get(f"/api/campaigns/{launched.campaign_id}/timeline").get_json() == {
        "items": [row("2026-01-15T12:00:00Z", sent=2)]}


@pytest.mark.postgresql_only
def test_buckets_are_utc_whatever_the_database_sessions_time_zone(client, story):
    def tokyo(dbapi_connection, _record):
        with dbapi_connection.cursor() as cursor:
            cursor.execute("SET TIME ZONE 'Asia/Tokyo'")
        dbapi_connection.commit()
    db.session.remove()
    db.engine.dispose()
    event.listen(db.engine, "connect", tokyo)
    try:
        daily = client.get(f"/api/campaigns/{story.campaign_id}/timeline?bucket=day").get_json()
        zone = db.session.scalar(text("SHOW TIME ZONE"))
    finally:
        event.remove(db.engine, "connect", tokyo)
        db.session.remove()
        db.engine.dispose()
    assert zone == "Asia/Tokyo"
    assert [item["at"] for item in daily["items"]] == ["2026-01-15T00:00:00Z", "2026-01-16T00:00:00Z"]
