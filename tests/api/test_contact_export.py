"""GET /api/contacts/export: a streamed CSV, formula cells neutralised, and exporting then importing is a no-op."""
import csv
import io

import pytest

from chatbot.services.contacts_csv import neutralised, restored
from tests import factories
from tests.api import expect
from tests.api.test_contact_import import HEADER, imported

TRICKY = ["=HYPERLINK(\"http://evil.example\",\"click\")", "+cmd", "-2+3", "@SUM(A1)", "'=already quoted",
          "''=twice", "'plain quote", "Zoé, \"the\" one", "Two\nlines"]


def export(client, query=""):
    """The export's answer, read whole."""
    response = client.get(f"/api/contacts/export{query}")
    assert response.status_code == 200, response.get_data(as_text=True)
    return response


def rows(response):
    """The CSV records of an export."""
    return list(csv.reader(io.StringIO(response.get_data(as_text=True))))


@pytest.mark.parametrize("cell", TRICKY + ["", "plain", "\tTab", "\rCR", "'", "'''"])
def test_neutralising_is_undone_exactly(cell):
    assert restored(neutralised(cell)) == cell
    assert not neutralised(cell).startswith(("=", "+", "-", "@", "\t", "\r"))


def test_the_export_is_a_streamed_csv_attachment_with_the_import_columns(client):
    imported(client, HEADER + "+33612345601,Ann,VIP;Promo\n+33612345602,Bob,\n")
    response = client.get("/api/contacts/export", headers={"Accept-Encoding": "gzip"})
    assert response.status_code == 200
    assert response.is_streamed
    assert response.mimetype == "text/csv" and response.mimetype_params["charset"] == "utf-8"
    assert response.headers["Content-Disposition"] == "attachment; filename=contacts.csv"
    assert "Content-Encoding" not in response.headers and "Content-Length" not in response.headers
    assert response.headers["Server-Timing"].startswith("app;dur=")
    assert rows(response) == [["phone", "name", "categories"], ["+33612345601", "Ann", "Promo;VIP"],
                              ["+33612345602", "Bob", ""]]


def test_formula_cells_are_neutralised_but_phones_stay_as_stored(client):
    category = factories.category("=1+1")
    client.post("/api/contacts", json={"phone": "+33612345601", "name": "=HYPERLINK(\"x\")",
                                       "category_ids": [category["id"]]})
    assert rows(export(client))[1] == ["+33612345601", "'=HYPERLINK(\"x\")", "'=1+1"]


def test_export_then_import_changes_nothing(client):
    categories = [factories.category(name)["id"] for name in ("=cat", "Zed", "-minus", "'=quoted")]
    for number, name in enumerate(TRICKY):
        client.post("/api/contacts", json={"phone": f"+3361234560{number}", "name": name,
                                           "category_ids": categories[number % 4:number % 4 + 2]})
    before = client.get("/api/contacts?per_page=200").get_json()["items"]
    answer = imported(client, export(client).get_data())
    assert answer == {"created": 0, "updated": 0, "unchanged": len(TRICKY), "rejected": []}
    assert client.get("/api/contacts?per_page=200").get_json()["items"] == before
    assert [c["name"] for c in client.get("/api/categories").get_json()["items"]] == sorted(
        ["=cat", "Zed", "-minus", "'=quoted"], key=str.lower)


def test_one_category_s_contacts_carry_all_their_categories(client):
    imported(client, HEADER + "+33612345601,Ann,VIP;Promo\n+33612345602,Bob,Promo\n+33612345603,Cyd,\n")
    vip = next(c for c in client.get("/api/categories").get_json()["items"] if c["name"] == "VIP")
    assert rows(export(client, f"?category_id={vip['id']}"))[1:] == [["+33612345601", "Ann", "Promo;VIP"]]


def test_an_unknown_category_is_404_before_any_byte(client):
    expect.error(client.get("/api/contacts/export?category_id=999"), 404, "not_found")
    expect.error(client.get("/api/contacts/export?category_id=x"), 422, "validation_error")


def test_a_large_export_comes_in_pieces(client):
    body = HEADER + "".join(f"+3361234{n:04d},Contact {n},VIP\n" for n in range(3000))
    assert imported(client, body)["created"] == 3000
    response = client.get("/api/contacts/export")
    pieces = list(response.response)
    response.close()
    assert len(pieces) > 1 and all(len(piece) <= 70 * 1024 for piece in pieces)
    assert len(b"".join(p if isinstance(p, bytes) else p.encode() for p in pieces).splitlines()) == 3001
