"""Bearer-token auth for /api/* when API_TOKEN is set."""
import hmac

from flask import current_app, g, request

from chatbot.errors import Unauthorized

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
    """Reject /api/* requests without the right bearer token (compared in constant time)."""
    expected = current_app.config.get("API_TOKEN")
    if not expected or not request.path.startswith("/api/") or request.path.startswith(PUBLIC_PATHS):
        return
    if request.path == TICKET_PATH and request.method in ("GET", "HEAD"):
        return
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(token.strip().encode(), expected.encode()):
        raise Unauthorized("missing or wrong bearer token")
    g.credential = expected


def init_app(app):
    """Run the check before every request."""
    app.before_request(check_token)
