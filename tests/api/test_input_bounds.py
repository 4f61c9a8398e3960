"""Bounded input and bounded answers: lists of ids have a maximum, error details a size, ids are ASCII digits."""
import json
import time

import pytest

from chatbot.blueprints.errors import MAX_MESSAGES
from chatbot.schemas.fields import MAX_IDS
from tests import factories
from tests.api import expect

CAMPAIGN = {"name": "Spring", "first_message": {"text": "Hi"}, "second_message": {"text": "Thanks"}}
FULL_WIDTH_ONE = "\uff11"  # '１'


def test_more_ids_than_the_maximum_is_a_422_not_a_500(client):
    """65,536 ids overflowed the drivers' parameter limit (a 500); past MAX_IDS is now one short 422."""
    too_many = list(range(1, 65_537))
    contact = factories.contact()
    answers = {
        "campaign": client.post("/api/campaigns", json={**CAMPAIGN, "category_ids": too_many}),
        "contact": client.post("/api/contacts", json={"phone": "+14152000001", "name": "Ann",
                                                      "category_ids": list(range(1, 70_001))}),
        "patch": client.patch(f"/api/contacts/{contact['id']}", json={"category_ids": too_many}),
    }
    for what, answer in answers.items():
        details = expect.error(answer, 422, "validation_error")
        assert details == {"category_ids": [f"At most {MAX_IDS} ids."]}, what
    assert client.get("/api/contacts").get_json()["total"] == 1
    assert client.get("/api/campaigns").get_json()["items"] == []


def test_the_maximum_itself_is_accepted(client):
    categories = [factories.category()["id"] for _ in range(2)]
    ids = (categories * MAX_IDS)[:MAX_IDS]  # MAX_IDS entries, repeats count once
    answer = client.post("/api/contacts", json={"phone": "+14152000001", "name": "Ann", "category_ids": ids})
    assert answer.status_code == 201 and answer.get_json()["category_ids"] == sorted(categories)


def test_unknown_ids_are_named_up_to_a_bound_then_counted(client):
    """A 422 for unknown ids names the first MAX_MESSAGES of them, then how many more."""
    unknown = list(range(1_000_000, 1_000_000 + MAX_IDS))
    details = expect.error(client.post("/api/contacts", json={"phone": "+14152000001", "name": "Ann",
                                                              "category_ids": unknown}), 422, "validation_error")
    messages = details["category_ids"]
    assert messages[:2] == ["Unknown category id: 1000000.", "Unknown category id: 1000001."]
    assert len(messages) == MAX_MESSAGES + 1 and messages[-1] == f"And {MAX_IDS - MAX_MESSAGES} more."


def test_a_large_body_of_unknown_ids_gets_a_small_quick_answer(client):
    """The probe: a 448 KB body of unknown ids answered 1.96 MB after 0.93 s of work."""
    body = json.dumps({**CAMPAIGN, "category_ids": list(range(1_000_000, 1_065_536))})
    assert len(body) > 448_000
    started = time.perf_counter()
    answer = client.post("/api/campaigns", data=body, content_type="application/json")
    elapsed = time.perf_counter() - started
    expect.error(answer, 422, "validation_error")
    assert len(answer.get_data()) < 1000 and elapsed < 0.5, (len(answer.get_data()), elapsed)


@pytest.mark.parametrize("body", [
    {"category_ids": ["x"] * MAX_IDS},  # one message per bad item
    {"category_ids": [], **{f"field{i}": i for i in range(5000)}},  # one "Unknown field." per unknown field
    {"category_ids": [], "f" * 100_000: 1},  # a field name echoed back
], ids=["bad items", "unknown fields", "long field name"])
def test_validation_details_are_bounded_whatever_the_body(client, body):
    answer = client.post("/api/contacts", json={"phone": "+14152000001", "name": "Ann", **body})
    details = expect.error(answer, 422, "validation_error")
    assert len(answer.get_data()) < 5000, len(answer.get_data())
    assert len(details) <= MAX_MESSAGES + 1
    assert all(len(name) <= 100 for name in details)


@pytest.mark.parametrize("spelling", [FULL_WIDTH_ONE, "\u0661", " 1", "1 ", "+1", "1_0", "1.0"])
def test_ids_in_query_strings_are_ascii_digits_only(client, spelling):
    """int() reads '１' (full width), '١' (Arabic-Indic), ' 1', '+1' and '1_0'; an id is ASCII digits."""
    factories.contact([factories.category()["id"]])
    for path, field in (("/api/contacts?category_id=", "category_id"), ("/api/messages?campaign_id=", "campaign_id"),
                        ("/api/messages?contact_id=", "contact_id"), ("/api/contacts?page=", "page"),
                        ("/api/messages?per_page=", "per_page"), ("/api/monitoring/daily?days=", "days")):
        details = expect.error(client.get(path + spelling), 422, "validation_error")
        assert details == {field: ["Not a valid integer."]}, path


def test_ids_in_paths_are_ascii_digits_only(client):
    category = factories.category()
    assert category["id"] == 1
    assert client.get("/api/categories/1").status_code == 200
    for spelling in (FULL_WIDTH_ONE, "\u0661", "\u0967"):  # full width, Arabic-Indic, Devanagari
        for path in ("/api/categories/", "/api/contacts/", "/api/campaigns/", "/api/messages/"):
            expect.error(client.get(path + spelling), 404, "not_found")
        expect.error(client.patch("/api/categories/" + spelling, json={"name": "x"}), 404, "not_found")
    assert client.get("/api/categories/1").get_json()["name"] == category["name"]


def test_ids_in_bodies_are_json_integers(client):
    category = factories.category()
    for ids in ([FULL_WIDTH_ONE], [str(category["id"])], [float(category["id"])], [True]):
        details = expect.error(client.post("/api/contacts", json={"phone": "+14152000001", "name": "Ann",
                                                                  "category_ids": ids}), 422, "validation_error")
        assert details == {"category_ids": {"0": ["Not a valid integer."]}}, ids
