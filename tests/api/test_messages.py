"""/api/messages: slim rows newest first with a keyset cursor, filters, and the detail."""
import base64
import datetime as dt
import json

import pytest
from sqlalchemy import select

from chatbot.extensions import db
from chatbot.models import Message
from chatbot.services.campaigns import launch_campaign
from tests import factories
from tests.api import expect

ROW_KEYS = {"id", "campaign_id", "contact_id", "contact_name", "step", "status", "sent_at", "created_at"}
DETAIL_KEYS = ROW_KEYS | {"body", "wamid", "error", "delivered_at", "read_at", "contact", "campaign"}
T0 = dt.datetime(2026, 1, 15, 12, 0, tzinfo=dt.timezone.utc)


def launched(contacts=3, name="Spring sale"):
    """A launched campaign over `contacts` new contacts: (campaign, contacts, {contact id: message id})."""
    category = factories.category()
    people = [factories.contact([category["id"]], name=f"Person {i}") for i in range(contacts)]
    campaign = factories.campaign([category["id"]], name=name)
    launch_campaign(campaign["id"])
    ids = dict(db.session.execute(select(Message.contact_id, Message.id)
                                  .where(Message.campaign_id == campaign["id"])).all())
    return campaign, people, ids


def cursor_of(payload):
    """A cursor as the API spells them, around any JSON payload (to forge bad ones)."""
    return base64.urlsafe_b64encode(json.dumps(payload).encode()).decode().rstrip("=")


def test_rows_have_exactly_the_slim_shape(client):
    campaign, people, ids = launched(1)
    response = client.get("/api/messages")
    assert response.status_code == 200
    body = response.get_json()
    assert set(body) == {"items", "next_cursor"}
    assert body["next_cursor"] is None
    assert body["items"] == [{"id": ids[people[0]["id"]], "campaign_id": campaign["id"],
                              "contact_id": people[0]["id"], "contact_name": "Person 0", "step": 1,
                              "status": "pending", "sent_at": None, "created_at": "2026-01-15T12:00:00Z"}]


def test_empty_list(client):
    assert client.get("/api/messages").get_json() == {"items": [], "next_cursor": None}


def test_rows_are_newest_first_and_show_statuses_and_times(client, clock):
    campaign, people, ids = launched(3)
    clock.advance(minutes=5)
    later = factories.message(people[0]["id"], campaign_id=None, status="sent", sent_at=T0, created_at=clock.now())
    factories.set_message(ids[people[1]["id"]], status="read", sent_at=T0 + dt.timedelta(seconds=30))
    rows = client.get("/api/messages").get_json()["items"]
    assert [r["id"] for r in rows] == [later] + sorted(ids.values(), reverse=True)
    assert rows[0]["campaign_id"] is None and rows[0]["created_at"] == "2026-01-15T12:05:00Z"
    by_id = {r["id"]: r for r in rows}
    assert by_id[ids[people[1]["id"]]]["status"] == "read"
    assert by_id[ids[people[1]["id"]]]["sent_at"] == "2026-01-15T12:00:30Z"
    assert all(set(r) == ROW_KEYS for r in rows)
    assert all(expect.utc(r["created_at"]) and (r["sent_at"] is None or expect.utc(r["sent_at"])) for r in rows)


def test_filters_by_campaign_contact_status_and_step(client):
    first, people, ids = launched(3, name="first")
    second, _, other_ids = launched(2, name="second")
    factories.set_message(ids[people[0]["id"]], status="failed", error_code="131026", error_message="undeliverable")
    factories.set_message(ids[people[1]["id"]], status="failed")
    reply = factories.message(people[1]["id"], campaign_id=first["id"], step=2)

    def listed(query):
        return sorted(r["id"] for r in client.get(f"/api/messages?{query}").get_json()["items"])

    assert listed(f"campaign_id={first['id']}") == sorted([*ids.values(), reply])
    assert listed(f"campaign_id={second['id']}") == sorted(other_ids.values())
    assert listed(f"contact_id={people[1]['id']}") == sorted([ids[people[1]["id"]], reply])
    assert listed("status=failed") == sorted([ids[people[0]["id"]], ids[people[1]["id"]]])
    assert listed("step=2") == [reply]
    assert listed(f"campaign_id={first['id']}&status=failed&contact_id={people[0]['id']}&step=1") == [
        ids[people[0]["id"]]]
    assert listed("campaign_id=999") == []


def walk(client, query):
    """Every page of a listing: (pages of ids, all rows)."""
    pages, rows, cursor = [], [], None
    while True:
        url = f"/api/messages?{query}" + (f"&cursor={cursor}" if cursor else "")
        body = client.get(url).get_json()
        pages.append([r["id"] for r in body["items"]])
        rows += body["items"]
        cursor = body["next_cursor"]
        if cursor is None:
            return pages, rows
        assert isinstance(cursor, str) and len(cursor) <= 200


def test_keyset_pages_cover_every_row_once_in_order_with_ties_on_created_at(client, clock):
    _, _, ids = launched(5)  # five rows with the same created_at: the id breaks the tie
    for _ in range(3):
        clock.advance(seconds=1)
        factories.message(factories.contact()["id"], created_at=clock.now())
    everything = [r["id"] for r in client.get("/api/messages?per_page=200").get_json()["items"]]
    assert len(everything) == 8
    pages, rows = walk(client, "per_page=3")
    assert [len(p) for p in pages] == [3, 3, 2]
    assert [r["id"] for r in rows] == everything
    created = [(r["created_at"], r["id"]) for r in rows]
    assert created == sorted(created, reverse=True)


def test_exact_multiple_of_the_page_size_ends_with_a_null_cursor(client):
    launched(4)
    pages, _ = walk(client, "per_page=2")
    assert [len(p) for p in pages] == [2, 2]


def test_cursor_is_stable_when_newer_messages_arrive(client, clock):
    launched(4)
    first = client.get("/api/messages?per_page=2").get_json()
    clock.advance(minutes=1)
    newer = factories.message(factories.contact()["id"], created_at=clock.now())
    second = client.get(f"/api/messages?per_page=2&cursor={first['next_cursor']}").get_json()
    seen = [r["id"] for r in first["items"] + second["items"]]
    assert newer not in seen and len(set(seen)) == 4
    assert second["next_cursor"] is None


def test_cursor_keeps_the_filters(client):
    campaign, _, ids = launched(5)
    launched(3, name="other")
    _, rows = walk(client, f"per_page=2&campaign_id={campaign['id']}")
    assert sorted(r["id"] for r in rows) == sorted(ids.values())


BAD_QUERIES = ["per_page=0", "per_page=201", "per_page=x", "step=3", "step=0", "status=lost", "campaign_id=abc",
               "contact_id=0", "campaign_id=2147483648", "contact_id=99999999999999999999"]


def test_bad_query_is_422_naming_the_parameter(client):
    for query in BAD_QUERIES:
        details = expect.error(client.get(f"/api/messages?{query}"), 422, "validation_error")
        assert list(details) == [query.split("=")[0]], query


def test_per_page_200_is_allowed(client):
    assert client.get("/api/messages?per_page=200").status_code == 200


GARBAGE_CURSORS = [
    "garbage", "!!!!", "a", "x" * 201, base64.urlsafe_b64encode(b"\xff\xfe\x00").decode(),
    cursor_of("not a pair"), cursor_of([1, 2]), cursor_of({"a": 1, "b": 2}), cursor_of(["2026-01-15T12:00:00", 5]),
    cursor_of(["2026-01-15T12:00:00+00:00", "5"]), cursor_of(["yesterday", 5]), cursor_of([None, 5]),
    cursor_of(["2026-01-15T12:00:00+00:00", 5, 6]), cursor_of(["2026-01-15T12:00:00+00:00", 2**70]),
    cursor_of(["2026-01-15T12:00:00+00:00", -1]), cursor_of(["0001-01-01T00:00:00+01:00", 5]),
    cursor_of(["9999-12-31T23:59:59-01:00", 5]),
]


def test_cursor_garbage_is_422(client):
    launched(1)
    for cursor in GARBAGE_CURSORS:
        details = expect.error(client.get(f"/api/messages?cursor={cursor}"), 422, "validation_error")
        assert list(details) == ["cursor"], cursor


def test_detail_has_the_row_plus_body_delivery_contact_and_campaign(client):
    campaign, people, ids = launched(1)
    message_id = ids[people[0]["id"]]
    factories.set_message(message_id, status="read", wamid="wamid.abc", sent_at=T0,
                          delivered_at=T0 + dt.timedelta(seconds=2), read_at=T0 + dt.timedelta(minutes=1))
    response = client.get(f"/api/messages/{message_id}")
    assert response.status_code == 200
    body = response.get_json()
    assert set(body) == DETAIL_KEYS
    row = next(r for r in client.get("/api/messages").get_json()["items"] if r["id"] == message_id)
    assert {k: body[k] for k in ROW_KEYS} == row
    assert body["body"] == {"text": "Hello! Reply to learn more."}
    assert body["wamid"] == "wamid.abc" and body["error"] is None
    assert (body["sent_at"], body["delivered_at"], body["read_at"]) == (
        "2026-01-15T12:00:00Z", "2026-01-15T12:00:02Z", "2026-01-15T12:01:00Z")
    assert body["contact"] == {"id": people[0]["id"], "name": "Person 0", "phone": people[0]["phone"]}
    assert body["campaign"] == {"id": campaign["id"], "name": "Spring sale"}


def test_detail_of_a_failed_message_has_its_error(client):
    _, people, ids = launched(1)
    factories.set_message(ids[people[0]["id"]], status="failed", error_code="131026",
                          error_message="Message undeliverable")
    body = client.get(f"/api/messages/{ids[people[0]['id']]}").get_json()
    assert body["status"] == "failed"
    assert body["error"] == {"code": "131026", "message": "Message undeliverable"}
    assert body["sent_at"] is body["delivered_at"] is body["read_at"] is body["wamid"] is None


def test_detail_of_a_message_without_campaign_has_a_null_campaign(client):
    contact = factories.contact(name="Solo")
    message_id = factories.message(contact["id"])
    body = client.get(f"/api/messages/{message_id}").get_json()
    assert body["campaign"] is None and body["campaign_id"] is None
    assert body["contact"]["name"] == body["contact_name"] == "Solo"


def test_unknown_message_is_404(client):
    for path in ("/api/messages/999", "/api/messages/2147483648", "/api/messages/9223372036854775807",
                 "/api/messages/99999999999999999999"):
        expect.error(client.get(path), 404, "not_found")


@pytest.fixture
def session_in_kolkata(app_config):
    """PostgreSQL sessions whose time zone is not UTC (+05:30): what a misconfigured server gives."""
    app_config["SQLALCHEMY_ENGINE_OPTIONS"] = {"pool_pre_ping": True,
                                               "connect_args": {"options": "-c timezone=Asia/Kolkata"}}
    return app_config


@pytest.mark.postgresql_only
def test_times_stay_utc_with_z_whatever_the_session_time_zone(session_in_kolkata, client, clock):
    _, people, ids = launched(3)
    factories.set_message(ids[people[0]["id"]], status="sent", sent_at=T0)
    contact = client.get(f"/api/contacts/{people[0]['id']}").get_json()
    assert contact["created_at"] == "2026-01-15T12:00:00Z"
    detail = client.get(f"/api/messages/{ids[people[0]['id']]}").get_json()
    assert (detail["created_at"], detail["sent_at"]) == ("2026-01-15T12:00:00Z", "2026-01-15T12:00:00Z")
    pages, rows = walk(client, "per_page=1")
    assert [len(p) for p in pages] == [1, 1, 1]
    assert sorted(r["id"] for r in rows) == sorted(ids.values())
