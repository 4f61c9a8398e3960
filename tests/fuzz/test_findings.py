"""What the schemathesis run found, pinned down: each was a mismatch between the API and its description."""
import pytest

from chatbot.schemas.fields import MAX_ID


@pytest.mark.parametrize("method, path", [("get", "/api/categories/{}"), ("patch", "/api/categories/{}"),
                                          ("delete", "/api/categories/{}"), ("patch", "/api/contacts/{}"),
                                          ("delete", "/api/contacts/{}"), ("post", "/api/campaigns/{}/launch"),
                                          ("get", "/api/messages/{}")])
def test_an_id_beyond_the_columns_is_404_for_every_method(client, method, path):
    """Werkzeug answered 405 for PATCH and DELETE when the converter refused the id; the description says 404."""
    answer = getattr(client, method)(path.format(MAX_ID + 1), json={})
    assert answer.status_code == 404 and answer.json["error"]["code"] == "not_found"


def test_the_length_limit_counts_the_characters_sent(client):
    """maxLength 100 in the description: 100 characters plus surrounding space is refused, 100 are accepted."""
    refused = client.post("/api/categories", json={"name": " " + "n" * 100})
    assert refused.status_code == 422 and "name" in refused.json["error"]["details"]
    accepted = client.post("/api/categories", json={"name": "n" * 100})
    assert accepted.status_code == 201 and accepted.json["name"] == "n" * 100
    assert client.post("/api/categories", json={"name": "  padded  "}).json["name"] == "padded"
