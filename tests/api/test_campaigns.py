"""/api/campaigns: create, list, detail, and a set-based launch."""
import pytest
from sqlalchemy import select

from chatbot.extensions import db
from chatbot.models import Campaign, Message
from tests import factories
from tests.api import expect

CAMPAIGN_KEYS = {"id", "name", "status", "category_ids", "first_message", "second_message", "total_count",
                 "sent_count", "delivered_count", "read_count", "interaction_count", "no_interaction_count",
                 "failed_count", "created_at", "launched_at", "completed_at", "blocked_until"}
COUNTS = ("total_count", "sent_count", "delivered_count", "read_count", "interaction_count",
          "no_interaction_count", "failed_count")


def valid(targets, **changes):
    """A valid POST /api/campaigns body targeting these category ids, with changes (None removes a field)."""
    body = {"name": "Spring sale", "category_ids": list(targets), "first_message": {"text": "Hi! Interested?"},
            "second_message": {"text": "Great, here is the link."}}
    body.update(changes)
    return {k: v for k, v in body.items() if v is not None}


@pytest.fixture
def category():
    """One category to target."""
    return factories.category()


def test_created_campaign_is_a_draft_with_the_contract_shape(client, category):
    other = factories.category()
    response = client.post("/api/campaigns", json=valid([other["id"], category["id"]], name="  Spring sale "))
    assert response.status_code == 201
    body = response.get_json()
    assert set(body) == CAMPAIGN_KEYS
    assert isinstance(body["id"], int)
    assert body["name"] == "Spring sale" and body["status"] == "draft"
    assert body["category_ids"] == sorted([category["id"], other["id"]])
    assert body["first_message"] == {"text": "Hi! Interested?"}
    assert body["second_message"] == {"text": "Great, here is the link."}
    assert all(body[name] == 0 for name in COUNTS)
    assert body["created_at"] == "2026-01-15T12:00:00Z"
    assert body["launched_at"] is None and body["completed_at"] is None
    assert client.get(f"/api/campaigns/{body['id']}").get_json() == body


def test_first_message_may_be_a_template(client, category):
    first = {"template": "spring_offer", "language": "en_US"}
    body = client.post("/api/campaigns", json=valid([category["id"]], first_message=first)).get_json()
    assert body["first_message"] == first


def test_each_required_field_is_named_when_missing(client, category):
    for field in ("name", "category_ids", "first_message", "second_message"):
        details = expect.error(client.post("/api/campaigns", json=valid([category["id"]], **{field: None})),
                               422, "validation_error")
        assert list(details) == [field]


INVALID = [
    ({"category_ids": []}, "category_ids"),
    ({"name": "n" * 201}, "name"),
    ({"name": ""}, "name"),
    ({"first_message": {"text": "x" * 4097}}, "first_message"),
    ({"first_message": {"text": "hi", "template": "t", "language": "en"}}, "first_message"),
    ({"first_message": {"template": "spring_offer"}}, "first_message"),
    ({"first_message": {"template": "spring_offer", "language": "English"}}, "first_message"),
    ({"first_message": {}}, "first_message"),
    ({"second_message": {"template": "t", "language": "en"}}, "second_message"),
    ({"second_message": {"text": ""}}, "second_message"),
]


def test_invalid_campaigns_are_422_naming_the_field(client, category):
    for changes, field in INVALID:
        details = expect.error(client.post("/api/campaigns", json=valid([category["id"]], **changes)),
                               422, "validation_error")
        assert list(details) == [field], changes
    assert client.get("/api/campaigns").get_json() == {"items": []}


def test_wrong_types_are_422_with_details_per_field(client):
    body = {"name": 7, "category_ids": "1", "first_message": "hello", "second_message": ["thanks"]}
    details = expect.error(client.post("/api/campaigns", json=body), 422, "validation_error")
    assert set(details) == {"name", "category_ids", "first_message", "second_message"}


def test_unknown_category_is_422_and_creates_nothing(client, category):
    details = expect.error(client.post("/api/campaigns", json=valid([category["id"], 999])), 422, "validation_error")
    assert list(details) == ["category_ids"]
    assert client.get("/api/campaigns").get_json() == {"items": []}


def test_list_is_newest_first(client, clock, category):
    ids = []
    for name in ("first", "second", "third"):
        ids.append(factories.campaign([category["id"]], name=name)["id"])
        clock.advance(minutes=1)
    ids.append(factories.campaign([category["id"]], name="same minute as third")["id"])
    body = client.get("/api/campaigns").get_json()
    assert set(body) == {"items"}
    assert [c["id"] for c in body["items"]] == ids[::-1]
    assert all(set(c) == CAMPAIGN_KEYS for c in body["items"])
    assert body["items"][0]["category_ids"] == [category["id"]]


def test_unknown_campaign_is_404(client):
    for response in (client.get("/api/campaigns/999"), client.post("/api/campaigns/999/launch"),
                     client.get("/api/campaigns/2147483648"), client.get("/api/campaigns/99999999999999999999")):
        expect.error(response, 404, "not_found")


def test_deleting_a_category_drops_it_from_its_campaigns(client, category):
    other = factories.category()
    campaign = factories.campaign([category["id"], other["id"]])
    client.delete(f"/api/categories/{other['id']}")
    assert client.get(f"/api/campaigns/{campaign['id']}").get_json()["category_ids"] == [category["id"]]


def queued(campaign_id):
    """(contact_id, step, status, body) of a campaign's messages."""
    return db.session.execute(select(Message.contact_id, Message.step, Message.status, Message.body)
                              .where(Message.campaign_id == campaign_id).order_by(Message.contact_id)).all()


def test_launch_queues_one_pending_first_message_per_distinct_contact(client, clock):
    a, b, untargeted = factories.category(), factories.category(), factories.category()
    only_a = factories.contact([a["id"]])
    in_both = factories.contact([a["id"], b["id"]])
    only_b = factories.contact([b["id"]])
    factories.contact([untargeted["id"]])
    factories.contact()
    campaign = factories.campaign([a["id"], b["id"]], first={"template": "offer", "language": "en"})
    clock.advance(minutes=10)
    response = client.post(f"/api/campaigns/{campaign['id']}/launch")
    assert response.status_code == 202
    body = response.get_json()
    assert set(body) == CAMPAIGN_KEYS
    assert body["status"] == "running"
    assert body["launched_at"] == "2026-01-15T12:10:00Z" and body["completed_at"] is None
    assert body["total_count"] == 3
    assert all(body[name] == 0 for name in COUNTS if name != "total_count")
    first = {"template": "offer", "language": "en"}
    assert queued(campaign["id"]) == sorted((c["id"], 1, "pending", first) for c in (only_a, in_both, only_b))
    assert client.get(f"/api/campaigns/{campaign['id']}").get_json() == body


def test_launch_shows_at_once_in_the_cached_stats(client, category):
    factories.contact([category["id"]])
    factories.contact([category["id"]])
    campaign = factories.campaign([category["id"]])
    before = client.get("/api/messages/stats").get_json()
    assert before["campaigns"]["draft"] == 1 and before["messages"]["pending"] == 0
    client.post(f"/api/campaigns/{campaign['id']}/launch")
    after = client.get("/api/messages/stats").get_json()
    assert (after["campaigns"]["draft"], after["campaigns"]["running"]) == (0, 1)
    assert after["messages"]["pending"] == after["messages"]["total"] == 2


def test_launch_of_a_campaign_without_contacts_queues_nothing(client, category):
    campaign = factories.campaign([category["id"]])
    body = client.post(f"/api/campaigns/{campaign['id']}/launch").get_json()
    assert body["status"] == "running" and body["total_count"] == 0


def test_second_launch_is_409_and_queues_nothing_more(client, category):
    factories.contact([category["id"]])
    campaign = factories.campaign([category["id"]])
    first = client.post(f"/api/campaigns/{campaign['id']}/launch").get_json()
    details = expect.error(client.post(f"/api/campaigns/{campaign['id']}/launch"), 409, "conflict")
    assert details == {"status": ["running"]}
    assert client.get(f"/api/campaigns/{campaign['id']}").get_json() == first
    assert len(queued(campaign["id"])) == 1


def test_launch_of_a_completed_campaign_is_409(client, category):
    campaign = factories.campaign([category["id"]])
    db.session.execute(Campaign.__table__.update().where(Campaign.id == campaign["id"]).values(status="completed"))
    db.session.commit()
    expect.error(client.post(f"/api/campaigns/{campaign['id']}/launch"), 409, "conflict")
    assert queued(campaign["id"]) == []


def test_launch_statement_count_does_not_grow_with_the_contacts(client, count_statements):
    small, large = factories.category(), factories.category()
    factories.bulk_contacts(5, [small["id"]])
    factories.bulk_contacts(300, [large["id"], small["id"]])
    few, many = factories.campaign([small["id"]]), factories.campaign([large["id"]])
    with count_statements() as on_few:
        assert client.post(f"/api/campaigns/{few['id']}/launch").get_json()["total_count"] == 305
    with count_statements() as on_many:
        assert client.post(f"/api/campaigns/{many['id']}/launch").get_json()["total_count"] == 300
    assert on_few.count == on_many.count
    assert on_many.count <= 10, on_many.statements
    inserts = [s for s in on_many.statements if s.lstrip().upper().startswith("INSERT")]
    assert len(inserts) == 1 and "SELECT" in inserts[0].upper()


def test_launch_is_not_a_get(client, category):
    campaign = factories.campaign([category["id"]])
    expect.error(client.get(f"/api/campaigns/{campaign['id']}/launch"), 405, "method_not_allowed")
