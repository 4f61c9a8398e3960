"""Stream tickets: needed, single use, short-lived, bound to the credential that got them."""
import pytest


@pytest.fixture
def token_config(app_config):
    app_config["API_TOKEN"] = "s3cret-token"
    return app_config


def ticket(client, headers=None):
    response = client.post("/api/events/ticket", headers=headers or {})
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["expires_in"] == 60
    return body["ticket"]


def test_the_stream_needs_a_ticket(client):
    for query in ("", "?ticket=", "?ticket=forged.ticket.value"):
        response = client.get("/api/events" + query)
        assert response.status_code == 401 and response.get_json()["error"]["code"] == "unauthorized"


def test_a_ticket_opens_one_stream_only(client):
    value = ticket(client)
    first = client.get(f"/api/events?ticket={value}", buffered=False)
    assert first.status_code == 200
    first.close()
    assert client.get(f"/api/events?ticket={value}").status_code == 401


def test_a_ticket_expires_after_a_minute(client, clock):
    value = ticket(client)
    clock.advance(seconds=61)
    assert client.get(f"/api/events?ticket={value}").status_code == 401


def test_with_a_token_the_ticket_needs_the_token_and_the_stream_does_not_take_it(token_config, client):
    assert client.post("/api/events/ticket").status_code == 401
    value = ticket(client, {"Authorization": "Bearer s3cret-token"})
    response = client.get(f"/api/events?ticket={value}", buffered=False)  # no Authorization header: EventSource
    assert response.status_code == 200
    response.close()
