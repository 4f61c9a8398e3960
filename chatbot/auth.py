"""Bearer-token auth for /api/* when API_TOKEN is set; wrong tokens are limited per client address."""
import hmac

from flask import current_app, g, request

from chatbot.errors import Unauthorized
from chatbot.security.ratelimit import failure_limit

# Meta calls the webhook without our token (it signs instead); load balancers call health.
PUBLIC_PATHS = ("/api/health", "/api/webhooks/whatsapp", "/api/openapi.json", "/api/docs")
# EventSource cannot send a header: the stream checks its single-use ticket instead (chatbot/live/tickets.py).
TICKET_PATH = "/api/events"


def current_credential():
    """The credential this request was let in with (None while the API is open)."""
    return g.get("credential")


def credential_valid(fingerprint_of, fingerprint):
    """Is the credential with this fingerprint still accepted? (A stream asks at each heartbeat.)"""
    return fingerprint_of(current_app.config.get("API_TOKEN")) == fingerprint


def check_token():
    """Reject /api/* requests without the right bearer token (compared in constant time).

    A request that presents a token is checked against the address's failure limit *before* the
    comparison (else a limited client would still learn which guess is right); only a wrong token
    presented counts as a failure: a request without one (the dashboard before it asks) guesses nothing.
    """
    expected = current_app.config.get("API_TOKEN")
    if not expected or not request.path.startswith("/api/") or request.path.startswith(PUBLIC_PATHS):
        return
    if request.path == TICKET_PATH and request.method in ("GET", "HEAD"):
        return
    header = request.headers.get("Authorization", "")
    if not header:
        raise Unauthorized("missing or wrong bearer token")
    limit = failure_limit("auth-token", current_app.config["AUTH_FAILURE_LIMIT"])
    # The socket's address, or X-Forwarded-For's as far as TRUSTED_PROXIES lets ProxyFix trust it.
    address = request.remote_addr or "unknown"
    limit.check(address)
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(token.strip().encode(), expected.encode()):
        limit.fail(address)
        raise Unauthorized("missing or wrong bearer token")
    g.credential = expected


def init_app(app):
    """Run the check before every request."""
    app.before_request(check_token)
