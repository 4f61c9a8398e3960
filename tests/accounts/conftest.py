"""Fixtures of the accounts tests: a user of each role with a personal token, and logging in with a cookie."""
import dataclasses

import pytest

from chatbot.services import accounts, credentials
from tests.cache.conftest import redis_server, server_app, server_client  # noqa: F401  (fixtures)

PASSWORD = "correct horse battery staple"


@dataclasses.dataclass
class Account:
    """A user with a role, its password and a personal token."""

    id: int
    email: str
    role: str
    token: str

    @property
    def bearer(self):
        """The Authorization header of its token."""
        return {"Authorization": f"Bearer {self.token}"}


def make_account(role, email=None):
    """A user of `role` with a personal token (through the services, as the API would)."""
    user = accounts.create_user(email or f"{role}@example.com", PASSWORD, role)
    token = credentials.create_token(accounts.principal_of(user), {"name": f"{role} script"})["token"]
    return Account(user.id, user.email, user.role, token)


@pytest.fixture
def users(app):
    """{role: Account} for admin, operator and viewer."""
    return {role: make_account(role) for role in ("admin", "operator", "viewer")}


def login(client, email, password=PASSWORD, address="203.0.113.7"):
    """POST /api/auth/login from `address` (the test client keeps the cookie)."""
    return client.post("/api/auth/login", json={"email": email, "password": password},
                       environ_base={"REMOTE_ADDR": address})


def csrf(client):
    """The X-CSRF-Token header of the client's session."""
    return {"X-CSRF-Token": client.get("/api/auth/me").get_json()["csrf_token"]}
