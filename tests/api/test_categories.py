"""/api/categories: shapes, sorting, counts, validation, conflicts, deletion."""
from tests import factories
from tests.api import expect

CATEGORY_KEYS = {"id", "name", "description", "contact_count", "created_at", "updated_at"}


def test_created_category_has_the_contract_shape(client):
    response = client.post("/api/categories", json={"name": "  Customers ", "description": "Paying ones"})
    assert response.status_code == 201
    body = response.get_json()
    assert set(body) == CATEGORY_KEYS
    assert isinstance(body["id"], int)
    assert body["name"] == "Customers"
    assert body["description"] == "Paying ones"
    assert body["contact_count"] == 0
    assert body["created_at"] == body["updated_at"] == "2026-01-15T12:00:00Z"


def test_description_is_optional_and_null_when_absent(client):
    body = client.post("/api/categories", json={"name": "Leads"}).get_json()
    assert body["description"] is None


def test_list_is_sorted_by_name_ignoring_case(client):
    for name in ("beta", "Gamma", "alpha"):
        client.post("/api/categories", json={"name": name})
    response = client.get("/api/categories")
    assert response.status_code == 200
    body = response.get_json()
    assert set(body) == {"items"}
    assert [c["name"] for c in body["items"]] == ["alpha", "beta", "Gamma"]
    assert all(set(c) == CATEGORY_KEYS for c in body["items"])


def test_empty_list_is_an_empty_items_array(client):
    assert client.get("/api/categories").get_json() == {"items": []}


def test_list_and_detail_count_the_contacts_of_each_category(client, app):
    sales, support, empty = (factories.category(name) for name in ("Sales", "Support", "Empty"))
    factories.contact([sales["id"]])
    factories.contact([sales["id"], support["id"]])
    counts = {c["name"]: c["contact_count"] for c in client.get("/api/categories").get_json()["items"]}
    assert counts == {"Sales": 2, "Support": 1, "Empty": 0}
    assert client.get(f"/api/categories/{sales['id']}").get_json()["contact_count"] == 2


def test_new_contact_is_counted_at_once_by_cached_list_and_detail(client):
    category = client.post("/api/categories", json={"name": "VIP"}).get_json()
    assert client.get("/api/categories").get_json()["items"][0]["contact_count"] == 0
    assert client.get(f"/api/categories/{category['id']}").get_json()["contact_count"] == 0
    client.post("/api/contacts", json={"phone": "+14152000001", "name": "Ann", "category_ids": [category["id"]]})
    assert client.get("/api/categories").get_json()["items"][0]["contact_count"] == 1
    assert client.get(f"/api/categories/{category['id']}").get_json()["contact_count"] == 1


def test_detail_of_one_category(client):
    created = factories.category("Partners", "Resellers")
    response = client.get(f"/api/categories/{created['id']}")
    assert response.status_code == 200
    assert response.get_json() == created


def test_unknown_category_is_404(client):
    expect.error(client.get("/api/categories/999"), 404, "not_found")
    expect.error(client.patch("/api/categories/999", json={"name": "x"}), 404, "not_found")
    expect.error(client.delete("/api/categories/999"), 404, "not_found")


def test_huge_category_id_is_404_not_a_crash(client):
    expect.error(client.get("/api/categories/2147483648"), 404, "not_found")
    expect.error(client.get("/api/categories/99999999999999999999"), 404, "not_found")


def test_duplicate_name_in_another_case_is_409(client):
    client.post("/api/categories", json={"name": "Sales"})
    details = expect.error(client.post("/api/categories", json={"name": " sALES"}), 409, "conflict")
    assert "name" in details
    assert len(client.get("/api/categories").get_json()["items"]) == 1


def test_duplicate_name_with_accents_in_another_case_is_409(client):
    """Unicode case folding, on SQLite too (its own lower() folds ASCII only)."""
    client.post("/api/categories", json={"name": "CAFÉ Ñandú"})
    expect.error(client.post("/api/categories", json={"name": "café ñandú"}), 409, "conflict")
    assert [c["name"] for c in client.get("/api/categories").get_json()["items"]] == ["CAFÉ Ñandú"]


def test_name_of_100_characters_is_accepted_and_101_rejected(client):
    assert client.post("/api/categories", json={"name": "n" * 100}).status_code == 201
    details = expect.error(client.post("/api/categories", json={"name": "m" * 101}), 422, "validation_error")
    assert list(details) == ["name"]


def test_description_over_500_characters_is_rejected(client):
    assert client.post("/api/categories", json={"name": "a", "description": "d" * 500}).status_code == 201
    details = expect.error(client.post("/api/categories", json={"name": "b", "description": "d" * 501}),
                           422, "validation_error")
    assert list(details) == ["description"]


def test_missing_or_blank_name_is_rejected(client):
    assert "name" in expect.error(client.post("/api/categories", json={}), 422, "validation_error")
    assert "name" in expect.error(client.post("/api/categories", json={"name": "   "}), 422, "validation_error")
    assert "name" in expect.error(client.post("/api/categories", json={"name": None}), 422, "validation_error")


def test_wrong_types_are_422_with_details_per_field(client):
    details = expect.error(client.post("/api/categories", json={"name": 5, "description": ["x"]}),
                           422, "validation_error")
    assert set(details) == {"name", "description"}
    assert all(isinstance(m, list) and m for m in details.values())


def test_patch_renames_and_describes(client, clock):
    created = factories.category("Old name")
    clock.advance(minutes=5)
    response = client.patch(f"/api/categories/{created['id']}", json={"name": "New name"})
    assert response.status_code == 200
    body = response.get_json()
    assert body["name"] == "New name" and body["description"] is None
    assert body["updated_at"] == "2026-01-15T12:05:00Z" and body["created_at"] == "2026-01-15T12:00:00Z"
    body = client.patch(f"/api/categories/{created['id']}", json={"description": "Now described"}).get_json()
    assert body["name"] == "New name" and body["description"] == "Now described"
    assert client.get("/api/categories").get_json()["items"][0]["name"] == "New name"


def test_patch_may_change_the_case_of_its_own_name(client):
    created = factories.category("sales")
    assert client.patch(f"/api/categories/{created['id']}", json={"name": "Sales"}).get_json()["name"] == "Sales"


def test_patch_to_the_name_of_another_category_is_409(client):
    factories.category("Sales")
    other = factories.category("Support")
    expect.error(client.patch(f"/api/categories/{other['id']}", json={"name": "SALES"}), 409, "conflict")
    assert client.get(f"/api/categories/{other['id']}").get_json()["name"] == "Support"


def test_patch_validates_like_create(client):
    created = factories.category()
    details = expect.error(client.patch(f"/api/categories/{created['id']}", json={"name": "x" * 101}),
                           422, "validation_error")
    assert list(details) == ["name"]


def test_delete_category_keeps_its_contacts(client):
    doomed, kept = factories.category("Doomed"), factories.category("Kept")
    contact = factories.contact([doomed["id"], kept["id"]])
    response = client.delete(f"/api/categories/{doomed['id']}")
    assert response.status_code == 204
    assert response.get_data() == b""
    expect.error(client.get(f"/api/categories/{doomed['id']}"), 404, "not_found")
    assert client.get(f"/api/contacts/{contact['id']}").get_json()["category_ids"] == [kept["id"]]
    assert [c["name"] for c in client.get("/api/categories").get_json()["items"]] == ["Kept"]
    expect.error(client.delete(f"/api/categories/{doomed['id']}"), 404, "not_found")
