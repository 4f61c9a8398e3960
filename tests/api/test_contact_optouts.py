"""Opting a contact out and back in through the API, the opted_out filter, and the stats that follow."""
import datetime as dt

import pytest
from sqlalchemy import select

from chatbot.extensions import db
from chatbot.messaging import counters
from chatbot.models import COUNTER_COLUMNS, Campaign, Message
from chatbot.services import campaigns
from tests import factories
from tests.api import expect

NOW = dt.datetime(2026, 1, 15, 12, 0, tzinfo=dt.timezone.utc)


def patch(client, contact_id, **body):
    """PATCH /api/contacts/<id>; returns the response."""
    return client.patch(f"/api/contacts/{contact_id}", json=body)


def listed(client, query):
    """The ids of GET /api/contacts?<query>."""
    response = client.get(f"/api/contacts?{query}")
    assert response.status_code == 200, response.get_json()
    return sorted(c["id"] for c in response.get_json()["items"])


def test_patch_opted_out_true_sets_it_once_and_false_clears_it(client, clock):
    contact = factories.contact()

    body = patch(client, contact["id"], opted_out=True).get_json()
    assert body["opted_out_at"] == "2026-01-15T12:00:00Z" and expect.utc(body["opted_out_at"])
    clock.advance(hours=1)
    assert patch(client, contact["id"], opted_out=True).get_json()["opted_out_at"] == "2026-01-15T12:00:00Z"
    assert client.get(f"/api/contacts/{contact['id']}").get_json()["opted_out_at"] == "2026-01-15T12:00:00Z"

    assert patch(client, contact["id"], opted_out=False).get_json()["opted_out_at"] is None
    assert client.get(f"/api/contacts/{contact['id']}").get_json()["opted_out_at"] is None


@pytest.mark.parametrize("value", ["true", 1, None, "yes"])
def test_patch_opted_out_must_be_a_boolean(client, value):
    contact = factories.contact()
    details = expect.error(patch(client, contact["id"], opted_out=value), 422, "validation_error")
    assert "opted_out" in details


def test_patch_opted_out_fails_the_pending_messages_and_the_stats_follow_at_once(client):
    category = factories.category()
    ann, bob = factories.contact([category["id"]]), factories.contact([category["id"]])
    campaign = factories.campaign([category["id"]])
    campaigns.launch_campaign(campaign["id"])
    stats = client.get("/api/messages/stats").get_json()  # now cached
    assert (stats["contacts"]["opted_out"], stats["messages"]["pending"]) == (0, 2)

    assert patch(client, ann["id"], opted_out=True).status_code == 200

    db.session.expire_all()
    statuses = dict(db.session.execute(select(Message.contact_id, Message.error_code)).all())
    assert statuses == {ann["id"]: "opted_out", bob["id"]: None}
    row = db.session.get(Campaign, campaign["id"])
    assert {n: getattr(row, n) for n in COUNTER_COLUMNS} == counters.compute([row.id])[row.id]
    assert row.failed_count == 1
    stats = client.get("/api/messages/stats").get_json()
    assert stats["contacts"]["opted_out"] == 1
    assert (stats["messages"]["pending"], stats["messages"]["failed"]) == (1, 1)
    assert patch(client, ann["id"], opted_out=False).status_code == 200
    assert client.get("/api/messages/stats").get_json()["contacts"]["opted_out"] == 0


def test_the_opted_out_filter(client):
    ann, bob, cy = factories.contact(), factories.contact(), factories.contact()
    patch(client, bob["id"], opted_out=True)

    assert listed(client, "opted_out=true") == [bob["id"]]
    assert listed(client, "opted_out=false") == sorted([ann["id"], cy["id"]])
    assert listed(client, "") == sorted([ann["id"], bob["id"], cy["id"]])
    assert client.get("/api/contacts?opted_out=true").get_json()["total"] == 1


@pytest.mark.parametrize("value", ["yes", "1", "True", "", "maybe"])
def test_the_opted_out_filter_takes_true_or_false_only(client, value):
    details = expect.error(client.get(f"/api/contacts?opted_out={value}"), 422, "validation_error")
    assert "opted_out" in details
