"""Personal tokens: shown once, stored hashed, listed without secrets, revoked at once in every process."""
import hashlib

import pytest
import requests
from sqlalchemy import select

from chatbot.extensions import db
from chatbot.models import ApiToken
from fakes.servers import AppServer, stop_all
from tests.accounts.conftest import csrf, login
from tests.conftest import REDIS_URL


def test_a_token_is_shown_once_and_stored_hashed(client, users):
    login(client, "viewer@example.com")
    response = client.post("/api/tokens", json={"name": "nightly export"}, headers=csrf(client))
    assert response.status_code == 201
    created = response.get_json()
    assert set(created) == {"id", "name", "token", "expires_at"} and created["expires_at"] is None
    stored = db.session.get(ApiToken, created["id"]).secret_hash
    assert stored == hashlib.sha256(created["token"].encode()).hexdigest()
    listed = client.get("/api/tokens").get_json()["items"]
    assert [t["name"] for t in listed] == ["nightly export", "viewer script"]
    assert all("token" not in t and "secret_hash" not in t for t in listed)
    assert client.get("/api/auth/me", headers={"Authorization": f"Bearer {created['token']}"}).status_code == 200


def test_others_tokens_are_an_admins_only(client, users):
    viewer_token = db.session.scalar(select(ApiToken.id).where(ApiToken.user_id == users["viewer"].id))
    db.session.rollback()
    operator = users["operator"].bearer
    assert {t["name"] for t in client.get("/api/tokens", headers=operator).get_json()["items"]} == {"operator script"}
    assert client.delete(f"/api/tokens/{viewer_token}", headers=operator).status_code == 404
    admin_view = client.get("/api/tokens", headers=users["admin"].bearer).get_json()["items"]
    assert len(admin_view) == 3
    assert client.delete(f"/api/tokens/{viewer_token}", headers=users["admin"].bearer).status_code == 204
    assert client.get("/api/categories", headers=users["viewer"].bearer).status_code == 401


def test_an_expired_token_is_refused(client, clock, users):
    created = client.post("/api/tokens", json={"name": "short", "expires_at": "2026-01-15T13:00:00Z"},
                          headers=users["operator"].bearer).get_json()
    bearer = {"Authorization": f"Bearer {created['token']}"}
    assert client.get("/api/categories", headers=bearer).status_code == 200
    clock.advance(hours=1)
    assert client.get("/api/categories", headers=bearer).status_code == 401


def test_api_token_has_no_personal_tokens(app, client, users):
    app.config["API_TOKEN"] = "env-token"
    response = client.post("/api/tokens", json={"name": "x"}, headers={"Authorization": "Bearer env-token"})
    assert response.status_code == 403


@pytest.fixture
def other_process(database_url, redis_url, app):
    """The app in a second process (gunicorn) on the same databases."""
    server = AppServer({"DATABASE_URL": database_url, "REDIS_URL": REDIS_URL}).start()
    try:
        server.wait_ready()
        yield server.url
    finally:
        stop_all([server])


def test_a_revoked_token_is_refused_at_once_by_another_process(client, users, other_process):
    url = other_process + "/api/categories"
    bearer = users["operator"].bearer
    assert requests.get(url, headers=bearer, timeout=5).status_code == 200
    token_id = client.get("/api/tokens", headers=bearer).get_json()["items"][0]["id"]
    assert client.delete(f"/api/tokens/{token_id}", headers=bearer).status_code == 204
    # No polling needed: the other process reads the token's row on every request (no cache to expire).
    assert requests.get(url, headers=bearer, timeout=5).status_code == 401
