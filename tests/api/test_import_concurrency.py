"""Imports at once, and against POST /api/contacts or a category's delete: 200, 201, 409, never a 500.

Real threads on PostgreSQL, each with its own test client (each request its own app context and session).
"""
import pytest

from tests import factories
from tests.api.test_concurrent_links import together
from tests.api.test_contact_import import HEADER
from tests.api.test_import_chunks import csv_rows

ROUNDS = 3


def post_csv(body):
    """A call for `together`: POST the CSV."""
    return lambda client: client.post("/api/contacts/import", data=body, content_type="text/csv")


@pytest.mark.postgresql_only
def test_two_overlapping_imports_at_once_both_succeed_and_only_add(app, client):
    for round_ in range(ROUNDS):
        first = csv_rows(120, first=round_ * 1000, categories="A;Shared")
        second = csv_rows(120, first=round_ * 1000 + 60, categories="B;shared")
        responses = together(app, [post_csv(first), post_csv(second), post_csv(first)])
        assert [r.status_code for r in responses] == [200] * 3, [r.get_json() for r in responses]
    assert client.get("/api/messages/stats").get_json()["contacts"]["total"] == ROUNDS * 180
    categories = {c["id"]: c["name"] for c in client.get("/api/categories").get_json()["items"]}
    assert sorted(categories.values()) in (["A", "B", "Shared"], ["A", "B", "shared"])
    overlap = client.get(f"/api/contacts?search={60:07d}").get_json()["items"]
    assert len(overlap) == 1 and sorted(categories[i].lower() for i in overlap[0]["category_ids"]) == [
        "a", "b", "shared"]


@pytest.mark.postgresql_only
def test_an_import_racing_a_post_of_the_same_phone_never_fails(app, client):
    for round_ in range(ROUNDS):
        phone = f"+3361{round_ * 1000 + 7:07d}"
        body = csv_rows(100, first=round_ * 1000)
        post = lambda c: c.post("/api/contacts", json={"phone": phone, "name": "Posted"})  # noqa: E731
        responses = together(app, [post_csv(body), post, post])
        assert responses[0].status_code == 200, responses[0].get_json()
        assert sorted(r.status_code for r in responses[1:]) in ([201, 409], [409, 409]), \
            [r.get_json() for r in responses]
        assert client.get(f"/api/contacts?search={phone[1:]}").get_json()["total"] == 1


@pytest.mark.postgresql_only
def test_an_import_racing_the_delete_of_its_category_is_200_or_409(app, client):
    for round_ in range(ROUNDS * 2):
        category = factories.category(f"Doomed {round_}")
        body = HEADER + "".join(f"+3361{round_ * 1000 + n:07d},C {n},Doomed {round_}\n" for n in range(200))
        delete = lambda c: c.delete(f"/api/categories/{category['id']}")  # noqa: E731
        imported, deleted = together(app, [post_csv(body), delete])
        assert deleted.status_code == 204
        assert imported.status_code in (200, 409), imported.get_json()
        if imported.status_code == 409:
            assert imported.get_json()["error"]["details"]["written"] == {"created": 0, "updated": 0, "unchanged": 0}
