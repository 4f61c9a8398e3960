"""Bearer-token auth for /api/* when API_TOKEN is set."""
import hmac

from flask import current_app, request

from chatbot.errors import Unauthorized

# Meta calls the webhook without our token (it signs instead); load balancers call health.
PUBLIC_PATHS = ("/api/health", "/api/webhooks/whatsapp", "/api/openapi.json", "/api/docs")


def check_token():
    """Reject /api/* requests without the right bearer token (compared in constant time)."""
    expected = current_app.config.get("API_TOKEN")
    if not expected or not request.path.startswith("/api/") or request.path.startswith(PUBLIC_PATHS):
        return
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(token.strip().encode(), expected.encode()):
        raise Unauthorized("missing or wrong bearer token")


def init_app(app):
    """Run the check before every request."""
    app.before_request(check_token)
