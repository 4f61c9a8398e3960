"""Dashboard sessions: the cookie, CSRF, expiry on the driven clock, logout, rotation, deactivation; login answers
the same for an unknown email and a wrong password."""
import pytest
from argon2 import PasswordHasher

from chatbot.auth import SESSION_COOKIE
from chatbot.security import passwords
from chatbot.services import accounts
from tests.accounts.conftest import PASSWORD, csrf, login


def cookie_header(response):
    """The Set-Cookie header of the session cookie."""
    return next(h for h in response.headers.getlist("Set-Cookie") if h.startswith(SESSION_COOKIE + "="))


def test_login_sets_an_httponly_lax_cookie_and_me_says_who(client, users):
    response = login(client, "Operator@Example.com")
    assert response.status_code == 200
    body = response.get_json()
    assert set(body) == {"email", "role", "csrf_token"} and body["role"] == "operator"
    header = cookie_header(response)
    assert "HttpOnly" in header and "SameSite=Lax" in header and "Secure" not in header
    assert "Max-Age=43200" in header  # SESSION_HOURS: 12
    me = client.get("/api/auth/me").get_json()
    assert me == {"id": users["operator"].id, "email": "operator@example.com", "role": "operator",
                  "csrf_token": body["csrf_token"]}


def test_the_cookie_is_secure_in_production(app, client, users):
    app.config["APP_ENV"] = "production"
    assert "Secure" in cookie_header(login(client, "viewer@example.com"))


def test_cookie_writes_need_the_csrf_token_bearer_writes_do_not(client, users):
    login(client, "operator@example.com")
    for headers in ({}, {"X-CSRF-Token": "wrong"}):
        response = client.post("/api/categories", json={"name": "Sales"}, headers=headers)
        assert response.status_code == 403 and "CSRF" in response.get_json()["error"]["message"]
    assert client.post("/api/categories", json={"name": "Sales"}, headers=csrf(client)).status_code == 201
    client.delete_cookie(SESSION_COOKIE)
    assert client.post("/api/categories", json={"name": "Other"}, headers=users["operator"].bearer).status_code == 201


def test_a_session_expires_after_session_hours(client, clock, users):
    login(client, "viewer@example.com")
    clock.advance(hours=11, minutes=59)
    assert client.get("/api/categories").status_code == 200
    clock.advance(minutes=1)
    assert client.get("/api/categories").status_code == 401


def test_logout_ends_the_session_even_for_a_copied_cookie(app, client, users):
    login(client, "viewer@example.com")
    copied = client.get_cookie(SESSION_COOKIE).value
    assert client.post("/api/auth/logout", headers=csrf(client)).status_code == 204
    other = app.test_client()
    other.set_cookie(SESSION_COOKIE, copied)
    assert other.get("/api/auth/me").status_code == 401


def test_login_rotates_the_session(app, client, users):
    login(client, "viewer@example.com")
    before = client.get_cookie(SESSION_COOKIE).value
    login(client, "viewer@example.com")
    assert client.get_cookie(SESSION_COOKIE).value != before
    other = app.test_client()
    other.set_cookie(SESSION_COOKIE, before)
    assert other.get("/api/auth/me").status_code == 401
    assert client.get("/api/auth/me").status_code == 200


def test_a_deactivated_user_is_out_at_once(client, users):
    login(client, "operator@example.com")
    accounts.update_user(users["operator"].id, {"active": False})
    assert client.get("/api/categories").status_code == 401
    assert client.get("/api/categories", headers=users["operator"].bearer).status_code == 401
    assert login(client, "operator@example.com").status_code == 401


@pytest.fixture
def verifications(monkeypatch):
    """The hashes argon2 verified (the work that takes the time)."""
    calls = []

    class Counting(PasswordHasher):
        def verify(self, password_hash, password):
            calls.append(password_hash)
            return super().verify(password_hash, password)
    monkeypatch.setattr(passwords, "_hasher", Counting())
    return calls


def test_unknown_email_and_wrong_password_answer_the_same_after_the_same_work(client, users, verifications):
    unknown = login(client, "nobody@example.com")
    wrong = login(client, "admin@example.com", "not the password at all")
    assert unknown.status_code == wrong.status_code == 401
    assert unknown.get_json() == wrong.get_json()
    assert len(verifications) == 2  # the unknown email was checked against a dummy hash, as costly


def test_passwords_are_stored_as_argon2id(app, users):
    from chatbot.extensions import db
    from chatbot.models import User
    stored = db.session.get(User, users["admin"].id).password_hash
    assert stored.startswith("$argon2id$") and PASSWORD not in stored
