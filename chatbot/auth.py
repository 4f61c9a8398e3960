"""Bearer-token auth for /api/* when API_TOKEN is set; wrong tokens are limited per client address."""
import hmac

from flask import current_app, request

from chatbot.errors import Unauthorized
from chatbot.security.ratelimit import failure_limit

# Meta calls the webhook without our token (it signs instead); load balancers call health.
PUBLIC_PATHS = ("/api/health", "/api/webhooks/whatsapp", "/api/openapi.json", "/api/docs")


def check_token():
    """Reject /api/* requests without the right bearer token (compared in constant time).

    A request that presents a token is checked against the address's failure limit *before* the
    comparison (else a limited client would still learn which guess is right); only a wrong token
    presented counts as a failure: a request without one (the dashboard before it asks) guesses nothing.
    """
    expected = current_app.config.get("API_TOKEN")
    if not expected or not request.path.startswith("/api/") or request.path.startswith(PUBLIC_PATHS):
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


def init_app(app):
    """Run the check before every request."""
    app.before_request(check_token)
