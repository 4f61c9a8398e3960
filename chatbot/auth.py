"""Who is calling: a session cookie, a personal bearer token, or API_TOKEN; then what their role lets them do.

Credentials, checked before every /api/* request (chatbot/security/access.py says which routes need which role):
- the dashboard's session cookie: a random secret whose SHA-256 names a `user_sessions` row (one indexed read,
  joined with the user: a logout, a deactivation or a deleted user is seen by the next request in every process);
  unsafe methods must also send X-CSRF-Token (an HMAC of the secret, given by login and /api/auth/me);
- `Authorization: Bearer <personal token>`: the same read on `api_tokens` (revocation is immediate everywhere);
- `Authorization: Bearer <API_TOKEN>`: an admin, compared in constant time, no read at all.
With no API_TOKEN and no user (development) the API is open, as before accounts existed.
"""
import hmac

from flask import current_app, request

from chatbot.errors import Forbidden, Unauthorized
from chatbot.principals import Principal, act_as, current_principal
from chatbot.security import access, folded
from chatbot.security.ratelimit import failure_limit

CSRF_HEADER = "X-CSRF-Token"
SESSION_COOKIE = "chatbot_session"
# The public /api paths (chatbot/security/access.py decides, by endpoint; tests check the two agree): Meta calls
# the webhook signed instead; load balancers call health; login is how a credential starts.
PUBLIC_PATHS = ("/api/health", "/api/webhooks/whatsapp", "/api/openapi.json", "/api/docs", "/api/auth/login")
# EventSource cannot send a header: the stream checks its single-use ticket instead (chatbot/live/tickets.py).
TICKET_PATH = "/api/events"


def current_credential():
    """What a stream ticket binds to: the principal's ref (None while the API is open)."""
    principal = current_principal()
    return principal.ref if principal else None


def api_token_principal():
    """API_TOKEN: an admin, as before accounts."""
    from chatbot.live.tickets import fingerprint
    return Principal("api_token", "admin", label="API_TOKEN", ref=fingerprint(current_app.config["API_TOKEN"]))


def credential_valid(ref):
    """Is the credential a stream was opened with still accepted? (A stream asks at each heartbeat.)"""
    from chatbot.services import credentials
    if ref and ref.startswith(("session:", "token:")):
        return credentials.still_valid(ref)
    if current_app.config.get("API_TOKEN"):
        return api_token_principal().ref == ref
    return ref is None and credentials.api_open()


def _bearer(header):
    """The principal of an Authorization header; 401 for a wrong one (counted against the address's limit)."""
    from chatbot.services import credentials
    limit = failure_limit("auth-token", current_app.config["AUTH_FAILURE_LIMIT"])
    # The socket's address, or X-Forwarded-For's as far as TRUSTED_PROXIES lets ProxyFix trust it.
    address = request.remote_addr or "unknown"
    fold = folded.may_fold()
    if not fold:
        limit.check(address)  # before the comparison: a limited client must not learn which guess is right
    scheme, _, token = header.partition(" ")
    token = token.strip()
    principal = None
    if scheme.lower() == "bearer" and token:
        expected = current_app.config.get("API_TOKEN")
        if expected and hmac.compare_digest(token.encode(), expected.encode()):
            principal = api_token_principal()
        else:
            principal = credentials.token_principal(token)
    if principal is None:
        if fold:
            limit.check(address)  # a limited address gets 429, never a 401 that tells the guess was wrong
        limit.fail(address)
        folded.failed(limit, address)  # with local copies on: a used-up address announced before the 401
        raise Unauthorized("missing or wrong bearer token")
    if fold:
        folded.defer(limit, address)  # checked in the cache's MGET, before the view answers (security/folded.py)
    return principal


def _principal():
    """The request's principal from its header or cookie; None when it brings no valid credential."""
    from chatbot.services import credentials
    header = request.headers.get("Authorization", "")
    if header:
        return _bearer(header)
    secret = request.cookies.get(SESSION_COOKIE)
    if secret:
        return credentials.session_principal(secret)
    return None


def check_request():
    """Authenticate /api/* requests, then check the route's class against the role, and CSRF for sessions."""
    if not request.path.startswith("/api/"):
        return
    needed = access.access_class(request.endpoint, request.method)
    if needed == access.PUBLIC:
        return
    from chatbot.services import credentials
    if credentials.api_open():  # no API_TOKEN, no user: any header is ignored, as before accounts
        act_as(Principal("open", "admin", label="anonymous"))
        return
    principal = _principal()
    if principal is None:
        raise Unauthorized("missing or wrong bearer token")
    act_as(principal)
    if not access.allows(needed, principal.role):
        raise Forbidden(f"the {principal.role} role may not do this")
    if principal.kind == "session" and request.method not in access.SAFE_METHODS:
        sent = request.headers.get(CSRF_HEADER, "")
        if not hmac.compare_digest(sent.encode(), (principal.csrf_token or "").encode()):
            raise Forbidden("missing or wrong X-CSRF-Token (GET /api/auth/me gives it)")


def init_app(app):
    """Run the check before every request; settle a folded limit check the view left pending."""
    app.before_request(check_request)
    folded.init_app(app)  # registered after the timer's: runs before it, so the access line has the final status
