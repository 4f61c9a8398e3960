"""POST /api/contacts/import: CSV rows checked like POST /api/contacts, written set-based, every rejection listed."""
import io
import random

from sqlalchemy import func, select

from chatbot.extensions import db
from chatbot.models import Category, Contact
from tests.api import expect

HEADER = "phone,name,categories\n"


def post_csv(client, body, multipart=False, **kwargs):
    """POST the CSV (text or bytes) as a text/csv body, or as the multipart field `file`."""
    data = body.encode() if isinstance(body, str) else body
    if multipart:
        return client.post("/api/contacts/import", data={"file": (io.BytesIO(data), "contacts.csv")},
                           content_type="multipart/form-data", **kwargs)
    return client.post("/api/contacts/import", data=data, content_type="text/csv", **kwargs)


def imported(client, body, **kwargs):
    """The 200 answer's JSON."""
    response = post_csv(client, body, **kwargs)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def contacts_by_phone(client):
    """{phone: (name, sorted category names)} of every contact, read through the API."""
    names = {c["id"]: c["name"] for c in client.get("/api/categories").get_json()["items"]}
    items = client.get("/api/contacts?per_page=200").get_json()["items"]
    return {c["phone"]: (c["name"], sorted(names[i] for i in c["category_ids"])) for c in items}


def test_new_known_changed_and_unchanged_rows_are_counted(client):
    first = HEADER + "+33612345601,Ann,VIP\n+33612345602,Bob,\n+33612345603,Cyd,Promo\n"
    assert imported(client, first) == {"created": 3, "updated": 0, "unchanged": 0, "rejected": []}
    # Ann renamed, Bob joins a category, Cyd as before (Promo stays even if the row names none), Dee is new.
    second = HEADER + "+33612345601,Ann Lee,VIP\n+33612345602,Bob,VIP\n+33612345603,Cyd,\n+33612345604,Dee,\n"
    assert imported(client, second) == {"created": 1, "updated": 2, "unchanged": 1, "rejected": []}
    assert contacts_by_phone(client) == {"+33612345601": ("Ann Lee", ["VIP"]), "+33612345602": ("Bob", ["VIP"]),
                                         "+33612345603": ("Cyd", ["Promo"]), "+33612345604": ("Dee", [])}


def test_categories_are_created_once_and_matched_whatever_their_case(client):
    vip = client.post("/api/categories", json={"name": "VIP"}).get_json()
    body = HEADER + "+33612345601,Ann,vip;Promo\n+33612345602,Bob,PROMO;promo;Vip\n+33612345603,Cyd, promo \n"
    assert imported(client, body)["created"] == 3
    categories = {c["name"]: c for c in client.get("/api/categories").get_json()["items"]}
    assert set(categories) == {"VIP", "Promo"}
    assert categories["VIP"]["id"] == vip["id"] and categories["VIP"]["contact_count"] == 2
    assert categories["Promo"]["contact_count"] == 3


def test_a_bom_and_semicolons_are_read_like_commas(client):
    body = "\ufeffPhone ; NAME ;Categories\r\n+33612345601;Zoé;\"A;B\"\r\n+33612345602;\"Dupont; Jean\";A\r\n"
    assert imported(client, body.encode("utf-8"))["created"] == 2
    assert contacts_by_phone(client) == {"+33612345601": ("Zoé", ["A", "B"]),
                                         "+33612345602": ("Dupont; Jean", ["A"])}


def test_quoted_cells_keep_commas_and_line_breaks_and_lines_count_records(client):
    body = HEADER + '+33612345601,"Dupont, Jean",\n+33612345602,"Two\nlines",\nbad,X,\n'
    answer = imported(client, body)
    assert answer["created"] == 2
    assert answer["rejected"] == [{"line": 4, "phone": "bad", "error": answer["rejected"][0]["error"]}]
    assert contacts_by_phone(client)["+33612345601"][0] == "Dupont, Jean"
    assert contacts_by_phone(client)["+33612345602"][0] == "Two\nlines"


def test_columns_may_come_in_any_order_and_categories_may_be_left_out(client):
    assert imported(client, "name,phone\nAnn,+33612345601\n")["created"] == 1
    assert contacts_by_phone(client) == {"+33612345601": ("Ann", [])}


def test_every_bad_row_is_listed_with_its_line_and_the_good_ones_are_written(client):
    body = (HEADER + "+33612345601,Ann,\nnot a phone,Bob,\n+33612345602,,\n+1 415 555,Cyd,\n+33612345603,"
            + "x" * 201 + ",\n+33612345604,Dee,VIP\n+33612345605,Eve," + "c" * 101 + "\n+33612345606,Fay,A,B\n")
    answer = imported(client, body)
    assert answer["created"] == 2
    rejected = {r["line"]: r for r in answer["rejected"]}
    assert sorted(rejected) == [3, 4, 5, 6, 8, 9]
    assert rejected[3]["phone"] == "not a phone" and rejected[3]["error"].startswith("phone: ")
    assert rejected[4]["error"].startswith("name: ")
    assert rejected[5]["error"].startswith("phone: ")
    assert rejected[6]["error"].startswith("name: ") and "200" in rejected[6]["error"]
    assert rejected[8]["error"].startswith("categories: ")
    assert rejected[9]["error"] == "expected 3 cells, found 4"
    assert set(contacts_by_phone(client)) == {"+33612345601", "+33612345604"}


def test_a_phone_twice_in_one_file_keeps_the_first_row(client):
    body = HEADER + "+33612345601,Ann,\n+33612345602,Bob,\n+33 6 12 34 56 01,Ann again,\n"
    answer = imported(client, body)
    assert answer["created"] == 2
    assert answer["rejected"] == [{"line": 4, "phone": "+33 6 12 34 56 01",
                                   "error": "duplicate of line 2 (the first row with a phone is kept)"}]
    assert contacts_by_phone(client)["+33612345601"] == ("Ann", [])


def test_a_header_alone_imports_nothing(client):
    assert imported(client, HEADER) == {"created": 0, "updated": 0, "unchanged": 0, "rejected": []}


def test_blank_lines_are_skipped_but_counted(client):
    answer = imported(client, HEADER + "\n,,\n+33612345601,Ann,\nbad,X,\n")
    assert answer["created"] == 1 and [r["line"] for r in answer["rejected"]] == [5]


def refused(client, body, **kwargs):
    """A 400 in the contract's envelope, nothing written; its details."""
    details = expect.error(post_csv(client, body, **kwargs), 400, "bad_request")
    assert db.session.scalar(select(func.count()).select_from(Contact)) == 0
    assert db.session.scalar(select(func.count()).select_from(Category)) == 0
    db.session.rollback()
    return details


def test_files_without_our_columns_are_400(client):
    refused(client, "tel,nom\n+33612345601,Ann\n")
    refused(client, "phone,name,categories,email\n+33612345601,Ann,,a@b.c\n")
    refused(client, "phone,phone,name\n+33612345601,+33612345601,Ann\n")
    assert refused(client, "phone,categories\n+33612345601,VIP\n")["missing"] == ["name"]


def test_an_empty_file_is_400(client):
    refused(client, b"")
    refused(client, b"\n\n")
    refused(client, b"\xef\xbb\xbf")


def test_binary_garbage_is_400(client):
    noise = random.Random(7).randbytes(200_000)
    refused(client, noise)
    refused(client, b"\x89PNG\r\n\x1a\n" + noise)
    refused(client, "phone,name,categories\n".encode("utf-16"))
    refused(client, HEADER.encode() + b"\x00" * 10 + b'+33612345601,"Ann\n' + b"x" * 300_000)


def test_a_file_that_is_not_utf8_is_400_naming_the_line(client):
    details = refused(client, (HEADER + "+33612345601,Ann,\n+33612345602,Zoé,\n").encode("latin-1"))
    assert details["line"] == 3 and details["written"] == {"created": 0, "updated": 0, "unchanged": 0}


def test_multipart_and_text_csv_import_the_same(client):
    assert imported(client, HEADER + "+33612345601,Ann,VIP\n", multipart=True)["created"] == 1
    assert imported(client, HEADER + "+33612345601,Ann,VIP\n")["unchanged"] == 1


def test_multipart_without_a_file_field_is_400(client):
    response = client.post("/api/contacts/import", data={"other": (io.BytesIO(b"x"), "x.csv")},
                           content_type="multipart/form-data")
    expect.error(response, 400, "bad_request")
    assert "'file'" in response.get_json()["error"]["message"]


def test_the_import_is_behind_the_token(app_config):
    from chatbot import create_app
    app = create_app({**app_config, "API_TOKEN": "s3cret"})
    client = app.test_client()
    expect.error(post_csv(client, HEADER), 401, "unauthorized")
    assert post_csv(client, HEADER, headers={"Authorization": "Bearer s3cret"}).status_code == 200


def test_an_import_shows_at_once_in_the_cached_stats_and_counts(client):
    assert client.get("/api/messages/stats").get_json()["contacts"]["total"] == 0
    client.get("/api/categories")
    imported(client, HEADER + "+33612345601,Ann,VIP\n+33612345602,Bob,VIP\n")
    assert client.get("/api/messages/stats").get_json()["contacts"]["total"] == 2
    assert client.get("/api/categories").get_json()["items"][0]["contact_count"] == 2


def test_a_category_name_holding_the_separator_is_refused(client):
    details = expect.error(client.post("/api/categories", json={"name": "A;B"}), 422, "validation_error")
    assert "name" in details
