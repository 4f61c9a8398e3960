"""Stream tickets: short-lived, single-use, signed; they name the credential that got them (never a secret).

`EventSource` cannot send an Authorization header, and a token in a URL ends up in access logs. So the
dashboard asks `POST /api/events/ticket` with its usual credentials and opens `GET /api/events?ticket=...`:
the ticket is worthless after one use or TICKET_SECONDS. Single use is kept in Redis (`events:ticket:<nonce>`,
shared by every process), or in this process's memory while Redis is away.
"""
import hashlib
import secrets
import threading

from flask import current_app
from itsdangerous import BadSignature, TimestampSigner, URLSafeTimedSerializer

from chatbot.clock import get_clock
from chatbot.errors import Unauthorized
from chatbot.extensions import redis_store
from chatbot.redis_store import RedisUnavailable

TICKET_SECONDS = 60
SALT = "chatbot.events.ticket"
USED_PREFIX = "events:ticket:"
_used_here = set()
_used_lock = threading.Lock()


class _Signer(TimestampSigner):
    """Timed by the app's clock (tests drive it)."""

    def get_timestamp(self):
        """Seconds since the epoch, from the app's clock."""
        return int(get_clock().now().timestamp())


def _serializer():
    """Signed with SECRET_KEY."""
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=SALT, signer=_Signer)


def fingerprint(credential):
    """A short hash of the credential (never the credential itself: tickets are readable)."""
    return hashlib.sha256((credential or "").encode()).hexdigest()[:32]


def issue(credential):
    """{"ticket", "expires_in"} for whoever holds `credential`: a principal's ref ("session:<id>", "token:<id>",
    API_TOKEN's fingerprint; None while the API is open), readable by anyone who sees the ticket."""
    ticket = _serializer().dumps({"n": secrets.token_urlsafe(16), "c": credential})
    return {"ticket": ticket, "expires_in": TICKET_SECONDS}


def redeem(ticket):
    """The credential ref of a valid, unused, unexpired ticket; 401 otherwise. Uses it up."""
    try:
        data = _serializer().loads(ticket or "", max_age=TICKET_SECONDS)
        nonce, credential = data["n"], data["c"]
    except (BadSignature, KeyError, TypeError):
        raise Unauthorized("missing, expired or used stream ticket") from None
    if not _first_use(nonce):
        raise Unauthorized("missing, expired or used stream ticket")
    return credential


def _first_use(nonce):
    """True the first time a nonce is seen, in any process (in this one only while Redis is away)."""
    try:
        return bool(redis_store.call(lambda r: r.set(USED_PREFIX + nonce, b"1", nx=True, ex=TICKET_SECONDS * 2)))
    except RedisUnavailable:
        with _used_lock:
            if nonce in _used_here:
                return False
            if len(_used_here) > 100_000:
                _used_here.clear()  # bounded; entries older than TICKET_SECONDS are worthless anyway
            _used_here.add(nonce)
            return True
