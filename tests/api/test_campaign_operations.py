"""Campaign operations: the audience, editing and deleting a draft, pause and resume (their answers and 409s)."""
import pytest
from sqlalchemy import func, select, update

from chatbot.clock import utcnow
from chatbot.extensions import db
from chatbot.models import Campaign, Contact, Message, campaign_categories
from tests import factories
from tests.api import expect
from tests.api.test_campaigns import CAMPAIGN_KEYS, INVALID

UNLIMITED = {"messaging_limit": None}  # WHATSAPP_MESSAGING_LIMIT unset (tests/whatsapp/test_messaging_limit.py)


def opt_out(*contacts):
    """Mark these contacts opted out (what an opt-out keyword or the contacts PATCH does)."""
    db.session.execute(update(Contact).where(Contact.id.in_([c["id"] for c in contacts]))
                       .values(opted_out_at=utcnow()))
    db.session.commit()


def set_status(campaign_id, status):
    """Force a campaign's status (a campaign that completed, for the 409s)."""
    db.session.execute(update(Campaign).where(Campaign.id == campaign_id).values(status=status))
    db.session.commit()


@pytest.fixture
def audience_data():
    """Two categories: a, b and c in the first, b, c and d in the second; c and d opted out."""
    first, second = factories.category(), factories.category()
    a = factories.contact([first["id"]])
    b = factories.contact([first["id"], second["id"]])
    c = factories.contact([first["id"], second["id"]])
    d = factories.contact([second["id"]])
    factories.contact([])  # in no category
    opt_out(c, d)
    return first["id"], second["id"], [a, b, c, d]


def test_audience_counts_distinct_reachable_contacts_and_the_opted_out_apart(client, audience_data):
    first, second, _ = audience_data
    audience = "/api/campaigns/audience?category_ids="
    assert client.get(f"{audience}{first}").get_json() == {"contacts": 2, "opted_out": 1, **UNLIMITED}
    assert client.get(f"{audience}{second}").get_json() == {"contacts": 1, "opted_out": 2, **UNLIMITED}
    both = client.get(f"/api/campaigns/audience?category_ids={first},{second},{first}")
    assert both.status_code == 200 and both.get_json() == {"contacts": 2, "opted_out": 2, **UNLIMITED}


def test_audience_of_an_empty_category_is_zero(client):
    category = factories.category()
    assert client.get(f"/api/campaigns/audience?category_ids={category['id']}").get_json() == {
        "contacts": 0, "opted_out": 0, **UNLIMITED}


def test_launch_queues_exactly_the_audience(client, audience_data):
    first, second, (a, b, _c, _d) = audience_data
    audience = client.get(f"/api/campaigns/audience?category_ids={first},{second}").get_json()
    campaign = factories.campaign([first, second])
    launched = client.post(f"/api/campaigns/{campaign['id']}/launch").get_json()
    queued = db.session.scalars(select(Message.contact_id).where(Message.campaign_id == campaign["id"])).all()
    assert sorted(queued) == sorted([a["id"], b["id"]])  # no message for the opted-out c and d
    assert launched["total_count"] == audience["contacts"] == 2


@pytest.mark.parametrize("query", ["", "category_ids=", "category_ids=1,", "category_ids=,1", "category_ids=a",
                                   "category_ids=1;2", "category_ids=1 2", "category_ids=0", "category_ids=-1",
                                   "category_ids=%EF%BC%91", "category_ids=2147483648",
                                   "category_ids=" + ",".join(["1"] * 1001)])
def test_a_malformed_audience_query_is_422(client, query):
    details = expect.error(client.get(f"/api/campaigns/audience?{query}"), 422, "validation_error")
    assert list(details) == ["category_ids"]


def test_an_unknown_category_in_the_audience_is_422_naming_it(client):
    known = factories.category()
    details = expect.error(client.get(f"/api/campaigns/audience?category_ids={known['id']},999"),
                           422, "validation_error")
    assert details == {"category_ids": ["Unknown category id: 999."]}


def test_a_thousand_ids_are_accepted(client):
    category = factories.category()
    ids = ",".join([str(category["id"])] * 1000)
    assert client.get(f"/api/campaigns/audience?category_ids={ids}").status_code == 200


def test_patch_edits_a_draft_and_replaces_its_categories(client, clock):
    first, second, third = factories.category(), factories.category(), factories.category()
    campaign = factories.campaign([first["id"], second["id"]], name="Before")
    clock.advance(minutes=1)
    response = client.patch(f"/api/campaigns/{campaign['id']}",
                            json={"name": "  After ", "category_ids": [third["id"], second["id"]],
                                  "first_message": {"template": "offer", "language": "en_US"}})
    assert response.status_code == 200
    body = response.get_json()
    assert set(body) == CAMPAIGN_KEYS and body["status"] == "draft"
    assert body["name"] == "After" and body["category_ids"] == sorted([second["id"], third["id"]])
    assert body["first_message"] == {"template": "offer", "language": "en_US"}
    assert body["second_message"] == campaign["second_message"]
    assert client.get(f"/api/campaigns/{campaign['id']}").get_json() == body


def test_patch_with_one_field_changes_only_that_field(client):
    category = factories.category()
    campaign = factories.campaign([category["id"]])
    body = client.patch(f"/api/campaigns/{campaign['id']}", json={"second_message": {"text": "New"}}).get_json()
    assert body == {**campaign, "second_message": {"text": "New"}}


def test_patch_validates_each_field_like_post_and_changes_nothing(client):
    category = factories.category()
    campaign = factories.campaign([category["id"]])
    for changes, field in INVALID + [({"category_ids": [category["id"], 999]}, "category_ids"),
                                     ({"name": None}, "name"), ({"second_message": {}}, "second_message")]:
        details = expect.error(client.patch(f"/api/campaigns/{campaign['id']}", json=changes),
                               422, "validation_error")
        assert list(details) == [field], changes
    assert client.get(f"/api/campaigns/{campaign['id']}").get_json() == campaign
    expect.error(client.patch(f"/api/campaigns/{campaign['id']}", data="name"), 400, "bad_request")


def test_delete_removes_a_draft_and_its_category_links(client):
    category = factories.category()
    campaign = factories.campaign([category["id"]])
    response = client.delete(f"/api/campaigns/{campaign['id']}")
    assert response.status_code == 204 and response.get_data() == b""
    expect.error(client.get(f"/api/campaigns/{campaign['id']}"), 404, "not_found")
    assert db.session.scalar(select(func.count()).select_from(campaign_categories)) == 0
    assert client.get(f"/api/categories/{category['id']}").status_code == 200  # the category stays


@pytest.mark.parametrize("status", ["running", "paused", "completed"])
def test_only_a_draft_can_be_edited_or_deleted(client, status):
    category = factories.category()
    factories.contact([category["id"]])
    campaign = factories.campaign([category["id"]])
    client.post(f"/api/campaigns/{campaign['id']}/launch")
    set_status(campaign["id"], status)
    before = client.get(f"/api/campaigns/{campaign['id']}").get_json()
    details = expect.error(client.patch(f"/api/campaigns/{campaign['id']}", json={"name": "x"}), 409, "conflict")
    assert details == {"status": [status]}
    expect.error(client.delete(f"/api/campaigns/{campaign['id']}"), 409, "conflict")
    assert client.get(f"/api/campaigns/{campaign['id']}").get_json() == before


def test_unknown_campaigns_are_404_for_every_operation(client):
    for response in (client.patch("/api/campaigns/999", json={"name": "x"}), client.delete("/api/campaigns/999"),
                     client.post("/api/campaigns/999/pause"), client.post("/api/campaigns/999/resume"),
                     client.get("/api/campaigns/999/timeline"), client.delete("/api/campaigns/2147483648")):
        expect.error(response, 404, "not_found")


def test_pause_then_resume(client):
    category = factories.category()
    factories.contact([category["id"]])
    campaign = factories.campaign([category["id"]])
    client.post(f"/api/campaigns/{campaign['id']}/launch")
    paused = client.post(f"/api/campaigns/{campaign['id']}/pause")
    assert paused.status_code == 200 and paused.get_json()["status"] == "paused"
    assert set(paused.get_json()) == CAMPAIGN_KEYS
    resumed = client.post(f"/api/campaigns/{campaign['id']}/resume")
    assert resumed.status_code == 200 and resumed.get_json()["status"] == "running"
    assert client.get(f"/api/campaigns/{campaign['id']}").get_json() == resumed.get_json()


@pytest.mark.parametrize("status, action", [("draft", "pause"), ("paused", "pause"), ("completed", "pause"),
                                            ("draft", "resume"), ("running", "resume"), ("completed", "resume")])
def test_pause_needs_running_and_resume_needs_paused(client, status, action):
    category = factories.category()
    campaign = factories.campaign([category["id"]])
    set_status(campaign["id"], status)
    details = expect.error(client.post(f"/api/campaigns/{campaign['id']}/{action}"), 409, "conflict")
    assert details == {"status": [status]}
    assert client.get(f"/api/campaigns/{campaign['id']}").get_json()["status"] == status


def test_stats_count_paused_campaigns(client):
    category = factories.category()
    campaign = factories.campaign([category["id"]])
    client.post(f"/api/campaigns/{campaign['id']}/launch")
    client.get("/api/messages/stats")  # cached now: the pause must drop the entry
    client.post(f"/api/campaigns/{campaign['id']}/pause")
    campaigns = client.get("/api/messages/stats").get_json()["campaigns"]
    assert campaigns["paused"] == 1 and campaigns["running"] == 0
