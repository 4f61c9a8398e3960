"""/api/contacts: E.164 phones, categories, pages, filters, PATCH and DELETE semantics."""
import datetime as dt

import pytest
from sqlalchemy import func, select

from chatbot.extensions import db
from chatbot.models import Interaction, Message
from chatbot.messaging import counters
from tests import factories
from tests.api import expect

CONTACT_KEYS = {"id", "phone", "name", "category_ids", "last_interaction_at", "opted_out_at", "created_at",
                "updated_at"}
SENT = dt.datetime(2026, 1, 15, 12, 0, tzinfo=dt.timezone.utc)


def post(client, **body):
    """POST /api/contacts with this JSON body."""
    return client.post("/api/contacts", json=body)


def test_created_contact_has_the_contract_shape(client):
    b, a = factories.category("B"), factories.category("A")
    response = post(client, phone="+14152000001", name="  Ann Lee ", category_ids=[b["id"], a["id"]])
    assert response.status_code == 201
    body = response.get_json()
    assert set(body) == CONTACT_KEYS
    assert isinstance(body["id"], int)
    assert body["phone"] == "+14152000001" and body["name"] == "Ann Lee"
    assert body["category_ids"] == sorted([a["id"], b["id"]])
    assert body["last_interaction_at"] is None and body["opted_out_at"] is None
    assert expect.utc(body["created_at"]) and expect.utc(body["updated_at"])
    assert client.get(f"/api/contacts/{body['id']}").get_json() == body


def test_category_ids_are_optional(client):
    assert post(client, phone="+14152000001", name="Ann").get_json()["category_ids"] == []


def test_repeated_category_ids_count_once(client):
    category = factories.category()
    body = post(client, phone="+14152000001", name="Ann", category_ids=[category["id"], category["id"]]).get_json()
    assert body["category_ids"] == [category["id"]]
    assert client.get(f"/api/categories/{category['id']}").get_json()["contact_count"] == 1


@pytest.mark.parametrize("typed", ["+1 415-200.0001", "+1 (415) 200-0001", " +14152000001 ", "+1.415.200.0001"])
def test_phone_is_normalised_to_e164(client, typed):
    assert post(client, phone=typed, name="Ann").get_json()["phone"] == "+14152000001"


def test_duplicate_phone_after_normalisation_is_409(client):
    post(client, phone="+14152000001", name="Ann")
    details = expect.error(post(client, phone="+1 415-200.0001", name="Other Ann"), 409, "conflict")
    assert "phone" in details
    assert client.get("/api/contacts").get_json()["total"] == 1


def test_invalid_phone_is_422(client):
    for phone in ("4152000001", "+1 555", "+999 123 456 789", "+1 415 200 0001 ext 2", "+1 415 200 0001 x9",
                  "+1 415 CALL NOW", "+1/415/2000001", "call me", "", "+", 14152000001, None):
        details = expect.error(post(client, phone=phone, name="Ann"), 422, "validation_error")
        assert list(details) == ["phone"], phone


def test_name_of_200_characters_is_accepted_and_201_rejected(client):
    assert post(client, phone="+14152000001", name="n" * 200).status_code == 201
    details = expect.error(post(client, phone="+14152000002", name="n" * 201), 422, "validation_error")
    assert list(details) == ["name"]


def test_missing_fields_are_422_naming_each(client):
    assert set(expect.error(post(client), 422, "validation_error")) == {"phone", "name"}


def test_wrong_types_are_422_with_details_per_field(client):
    details = expect.error(post(client, phone=["+14152000001"], name={"first": "Ann"}, category_ids="1"),
                           422, "validation_error")
    assert set(details) == {"phone", "name", "category_ids"}


def test_category_ids_must_be_positive_integers(client):
    factories.category()
    for ids in (["1"], [0], [-3], [1.5], [None], [True]):
        details = expect.error(post(client, phone="+14152000001", name="Ann", category_ids=ids), 422,
                               "validation_error")
        assert list(details) == ["category_ids"], ids


def test_unknown_category_id_is_422_and_creates_nothing(client):
    category = factories.category()
    for unknown in (999, 2**31 - 1, 2**31, 2**63, 10**30):
        details = expect.error(post(client, phone="+14152000001", name="Ann", category_ids=[category["id"], unknown]),
                               422, "validation_error")
        assert list(details) == ["category_ids"], unknown
    assert client.get("/api/contacts").get_json()["total"] == 0


def test_list_pages_newest_first_with_total(client, clock):
    ids = []
    for _ in range(3):
        ids.append(factories.contact()["id"])
        clock.advance(minutes=1)
    body = client.get("/api/contacts").get_json()
    assert set(body) == {"items", "page", "per_page", "total"}
    assert (body["page"], body["per_page"], body["total"]) == (1, 50, 3)
    assert [c["id"] for c in body["items"]] == ids[::-1]
    assert all(set(c) == CONTACT_KEYS for c in body["items"])
    first = client.get("/api/contacts?per_page=2").get_json()
    second = client.get("/api/contacts?per_page=2&page=2").get_json()
    assert [c["id"] for c in first["items"]] == [ids[2], ids[1]]
    assert [c["id"] for c in second["items"]] == [ids[0]]
    assert first["total"] == second["total"] == 3
    assert client.get("/api/contacts?page=3&per_page=2").get_json()["items"] == []


def test_list_shows_each_contacts_categories(client):
    a, b = factories.category(), factories.category()
    factories.contact([a["id"], b["id"]])
    factories.contact()
    items = client.get("/api/contacts").get_json()["items"]
    assert [c["category_ids"] for c in items] == [[], [a["id"], b["id"]]]


def test_pagination_and_filter_bounds_are_422_naming_the_parameter(client):
    for query in ("per_page=0", "per_page=201", "page=0", "page=-1", "per_page=abc", "page=x", "category_id=0",
                  "category_id=abc", "category_id=2147483648", "category_id=99999999999999999999",
                  "search=" + "s" * 201):
        details = expect.error(client.get(f"/api/contacts?{query}"), 422, "validation_error")
        assert list(details) == [query.split("=")[0]], query


def test_per_page_200_is_allowed(client):
    assert client.get("/api/contacts?per_page=200").get_json()["per_page"] == 200


def test_filter_by_category(client):
    a, b = factories.category(), factories.category()
    in_a = factories.contact([a["id"]])
    in_both = factories.contact([a["id"], b["id"]])
    factories.contact([b["id"]])
    body = client.get(f"/api/contacts?category_id={a['id']}").get_json()
    assert sorted(c["id"] for c in body["items"]) == sorted([in_a["id"], in_both["id"]])
    assert body["total"] == 2
    empty = {"items": [], "page": 1, "per_page": 50, "total": 0}
    assert client.get("/api/contacts?category_id=999").get_json() == empty


def test_search_by_name_ignores_case(client):
    ann = factories.contact(name="Ann Lee")
    factories.contact(name="Bob Stone")
    body = client.get("/api/contacts?search=aNN").get_json()
    assert [c["id"] for c in body["items"]] == [ann["id"]] and body["total"] == 1


def test_search_by_name_ignores_case_beyond_ascii(client):
    lucia = factories.contact(name="Lucía Núñez")
    factories.contact(name="Lucas Nunes")
    body = client.get("/api/contacts?search=LUCÍA NÚ").get_json()
    assert [c["id"] for c in body["items"]] == [lucia["id"]] and body["total"] == 1


def test_search_by_phone(client):
    ann = factories.contact(number="+14152000001")
    factories.contact(number="+14152999999")
    assert [c["id"] for c in client.get("/api/contacts?search=2000001").get_json()["items"]] == [ann["id"]]
    assert [c["id"] for c in client.get("/api/contacts?search=%2B1415200").get_json()["items"]] == [ann["id"]]


def test_search_wildcards_are_literal(client):
    factories.contact(name="Ann")
    percent = factories.contact(name="100% Bob")
    assert [c["id"] for c in client.get("/api/contacts?search=%25").get_json()["items"]] == [percent["id"]]
    assert client.get("/api/contacts?search=_").get_json()["total"] == 0


def test_search_and_category_combine(client):
    a = factories.category()
    ann_in_a = factories.contact([a["id"]], name="Ann One")
    factories.contact(name="Ann Two")
    body = client.get(f"/api/contacts?search=ann&category_id={a['id']}").get_json()
    assert [c["id"] for c in body["items"]] == [ann_in_a["id"]]


def test_unknown_contact_is_404(client):
    for response in (client.get("/api/contacts/999"), client.patch("/api/contacts/999", json={"name": "x"}),
                     client.delete("/api/contacts/999"), client.get("/api/contacts/2147483648"),
                     client.get("/api/contacts/99999999999999999999")):
        expect.error(response, 404, "not_found")


def test_patch_changes_name_and_normalises_phone(client, clock):
    contact = factories.contact(name="Ann")
    clock.advance(hours=1)
    body = client.patch(f"/api/contacts/{contact['id']}", json={"name": "Ann Lee", "phone": "+1 415 200 0009"})
    assert body.status_code == 200
    body = body.get_json()
    assert (body["name"], body["phone"]) == ("Ann Lee", "+14152000009")
    assert body["updated_at"] == "2026-01-15T13:00:00Z" and body["created_at"] == "2026-01-15T12:00:00Z"
    assert client.get(f"/api/contacts/{contact['id']}").get_json() == body


def test_patch_keeping_its_own_phone_is_not_a_conflict(client):
    contact = factories.contact(number="+14152000001")
    assert client.patch(f"/api/contacts/{contact['id']}", json={"phone": "+1 415 200 0001"}).status_code == 200


def category_counts(client):
    """{category id: contact_count} from the (cached) list."""
    return {c["id"]: c["contact_count"] for c in client.get("/api/categories").get_json()["items"]}


def test_patch_category_ids_replaces_the_set_and_counts_follow(client):
    old, kept, new = factories.category(), factories.category(), factories.category()
    contact = factories.contact([old["id"], kept["id"]])
    assert category_counts(client) == {old["id"]: 1, kept["id"]: 1, new["id"]: 0}
    client.get(f"/api/categories/{old['id']}")  # cached details, to see them follow
    client.get(f"/api/categories/{new['id']}")
    body = client.patch(f"/api/contacts/{contact['id']}", json={"category_ids": [new["id"], kept["id"]]}).get_json()
    assert body["category_ids"] == sorted([new["id"], kept["id"]])
    assert category_counts(client) == {old["id"]: 0, kept["id"]: 1, new["id"]: 1}
    assert client.get(f"/api/categories/{old['id']}").get_json()["contact_count"] == 0
    assert client.get(f"/api/categories/{new['id']}").get_json()["contact_count"] == 1
    body = client.patch(f"/api/contacts/{contact['id']}", json={"category_ids": []}).get_json()
    assert body["category_ids"] == []
    assert category_counts(client) == {old["id"]: 0, kept["id"]: 0, new["id"]: 0}


def test_patch_without_category_ids_keeps_the_set(client):
    a = factories.category()
    contact = factories.contact([a["id"]])
    assert client.patch(f"/api/contacts/{contact['id']}", json={"name": "Z"}).get_json()["category_ids"] == [a["id"]]


def test_patch_with_unknown_category_changes_nothing(client):
    a = factories.category()
    contact = factories.contact([a["id"]], name="Ann")
    details = expect.error(client.patch(f"/api/contacts/{contact['id']}", json={"name": "B", "category_ids": [999]}),
                           422, "validation_error")
    assert list(details) == ["category_ids"]
    assert client.get(f"/api/contacts/{contact['id']}").get_json() == contact


def test_patch_to_a_taken_phone_is_409_and_changes_nothing(client):
    a, b = factories.category(), factories.category()
    factories.contact(number="+14152000001")
    contact = factories.contact([a["id"]], number="+14152000002")
    response = client.patch(f"/api/contacts/{contact['id']}",
                            json={"phone": "+1 415-200.0001", "name": "Renamed", "category_ids": [b["id"]]})
    assert "phone" in expect.error(response, 409, "conflict")
    assert client.get(f"/api/contacts/{contact['id']}").get_json() == contact
    assert category_counts(client) == {a["id"]: 1, b["id"]: 0}


def test_patch_validates_each_field(client):
    contact = factories.contact()
    details = expect.error(client.patch(f"/api/contacts/{contact['id']}",
                                        json={"phone": "12", "name": "", "category_ids": "x"}),
                           422, "validation_error")
    assert set(details) == {"phone", "name", "category_ids"}


def launched_with_activity(client, clock):
    """A launched campaign over three contacts: Ann's first message delivered, Bob's read and answered."""
    category = factories.category()
    ann, bob = factories.contact([category["id"]]), factories.contact([category["id"]])
    factories.contact([category["id"]])
    cid = factories.campaign([category["id"]])["id"]
    client.post(f"/api/campaigns/{cid}/launch")
    by_contact = dict(db.session.execute(
        select(Message.contact_id, Message.id).where(Message.campaign_id == cid)).all())
    factories.set_message(by_contact[ann["id"]], status="delivered", sent_at=SENT, delivered_at=SENT)
    factories.set_message(by_contact[bob["id"]], status="read", sent_at=SENT, delivered_at=SENT, read_at=SENT,
                          interacted_at=SENT)
    factories.interaction(bob["id"], message_id=by_contact[bob["id"]], campaign_id=cid)
    factories.message(bob["id"], campaign_id=cid, step=2)
    counters.recompute([cid])  # what dispatch and the webhook do after changing statuses
    db.session.commit()
    return cid, ann, bob


def test_delete_contact_removes_its_messages_and_interactions_and_counters_follow(client, clock):
    cid, ann, bob = launched_with_activity(client, clock)
    campaign = client.get(f"/api/campaigns/{cid}").get_json()
    assert (campaign["total_count"], campaign["sent_count"], campaign["read_count"],
            campaign["interaction_count"]) == (3, 2, 1, 1)
    assert client.get("/api/messages/stats").get_json()["interactions"]["total"] == 1
    response = client.delete(f"/api/contacts/{bob['id']}")
    assert response.status_code == 204 and response.get_data() == b""
    expect.error(client.get(f"/api/contacts/{bob['id']}"), 404, "not_found")
    assert db.session.scalar(select(func.count()).select_from(Message).where(Message.contact_id == bob["id"])) == 0
    assert db.session.scalar(select(func.count()).select_from(Interaction)) == 0
    campaign = client.get(f"/api/campaigns/{cid}").get_json()
    assert (campaign["total_count"], campaign["sent_count"], campaign["delivered_count"], campaign["read_count"],
            campaign["interaction_count"]) == (2, 1, 1, 0, 0)
    stats = client.get("/api/messages/stats").get_json()
    assert stats["contacts"]["total"] == 2 and stats["interactions"]["total"] == 0
    assert stats["messages"]["total"] == 2
    assert client.get(f"/api/messages?contact_id={ann['id']}").get_json()["items"]


def test_delete_contact_updates_its_categories_counts(client):
    a = factories.category()
    contact = factories.contact([a["id"]])
    factories.contact([a["id"]])
    assert category_counts(client) == {a["id"]: 2}
    client.delete(f"/api/contacts/{contact['id']}")
    assert category_counts(client) == {a["id"]: 1}
    assert client.get("/api/contacts").get_json()["total"] == 1
