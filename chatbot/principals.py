"""The caller of a request, as the rest of the app sees it (auth.py decides who it is)."""
import dataclasses
import hashlib
import hmac

from flask import current_app, g


@dataclasses.dataclass(frozen=True)
class Principal:
    """The caller: a user (by session or token), API_TOKEN, or nobody while the API is open."""

    kind: str                    # session | token | api_token | open
    role: str
    user_id: int = None
    label: str = None            # audit's actor: email, "token name (email)", API_TOKEN
    ref: str = None              # what a stream ticket carries: "session:<id>", "token:<id>", or a fingerprint
    csrf_token: str = None
    email: str = None


def secret_hash(secret):
    """SHA-256 hex of a high-entropy secret (a session's or a token's): enough, unlike for passwords."""
    return hashlib.sha256(secret.encode()).hexdigest()


def csrf_for(secret):
    """The CSRF token of a session: an HMAC of its secret (nothing more to store)."""
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, b"csrf:" + secret.encode(), hashlib.sha256).hexdigest()


def current_principal():
    """The caller of this request (None before authentication or on public routes without credentials)."""
    return g.get("principal")


def act_as(principal):
    """Make `principal` this request's caller (a login acts as the user it logs in)."""
    g.principal = principal


def on_nobodys_behalf():
    """Mark this app context's writes as nobody's: the webhook batcher applies Meta's notifications outside any
    request, and Meta's webhooks are not audited (chatbot/services/audit.py)."""
    g.on_nobodys_behalf = True


def nobodys():
    """Are this app context's writes nobody's (see on_nobodys_behalf)?"""
    return g.get("on_nobodys_behalf", False)
