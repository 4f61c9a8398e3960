"""Meta's notification POSTs straight to the webhook batcher, before Flask: the lean request path.

At thousands of webhooks a second the view was the small part of a request: Flask's request context, the cookie
session it opens, the before/after hooks of every route (authentication, limits, body checks, timing,
Talisman), the teardown, cost some 30 % of a worker's CPU under py-spy, none of it of use to Meta's POST. This
WSGI middleware, in front of the app, takes the ordinary case only: POST /api/webhooks/whatsapp with a
Content-Length within MAX_CONTENT_LENGTH, a valid X-Hub-Signature-256 (HMAC over the raw body, computed once),
a JSON body (parsed once), group commit on (PostgreSQL). It hands the parsed notification to the batcher and
answers 200 with the same summary and headers the view gives (Server-Timing, the security headers, Vary), once
its group committed. Anything else (a bad signature, not JSON, no or too long a Content-Length, SQLite, a
notification whose group failed) goes on to Flask with its body intact, and the view answers as it always did:
the contract's errors come from one place.
"""
import io
import json
import logging
import time
from concurrent.futures import TimeoutError as FutureTimeout

from chatbot.clock import get_clock
from chatbot.messaging import webhooks
from chatbot.messaging.batcher import batcher
from chatbot.messaging.ingest import Notification
from chatbot.security.headers import is_secure
from chatbot.timing import log as timing_log

log = logging.getLogger(__name__)
PATH = "/api/webhooks/whatsapp"
UNAVAILABLE = json.dumps({"error": {"code": "unavailable", "message": "the notification could not be stored in "
                                    "time; send it again", "details": {}}}).encode()


def security_headers(app):
    """(headers, HSTS value or None): what Talisman puts on a JSON answer plus Flask-Compress's Vary; HSTS as
    Talisman sends it (production, on https requests only)."""
    from chatbot.security.headers import talisman
    hsts = talisman.hsts_value() if talisman.strict_transport_security else None
    return talisman.for_json(app, PATH) + [("Vary", "Accept-Encoding")], hsts


class WebhookFastPath:
    """WSGI middleware: the ordinary webhook POST answered here, everything else passed to `wsgi_app`."""

    def __init__(self, app, wsgi_app):
        self.app, self.wsgi_app = app, wsgi_app
        self.clock = get_clock(app)
        self.headers, self.hsts = security_headers(app)

    @property
    def batcher(self):
        """The app's batcher, looked up per request (a test or a reload may build a new one)."""
        return batcher(self.app)

    def __call__(self, environ, start_response):
        if environ.get("PATH_INFO") != PATH or environ.get("REQUEST_METHOD") != "POST" or not self.batcher.enabled:
            return self.wsgi_app(environ, start_response)
        started = time.perf_counter()
        raw = self._body(environ)
        answer = self._apply(raw, environ) if raw is not None else None
        if answer is None:
            return self.wsgi_app(environ, start_response)
        status, body = answer
        return self._respond(environ, start_response, status, body, started)

    def _body(self, environ):
        """The raw body when its Content-Length is within the limit (then also left readable for Flask)."""
        try:
            length = int(environ.get("CONTENT_LENGTH") or -1)
        except ValueError:
            return None
        if not 0 <= length <= self.app.config["MAX_CONTENT_LENGTH"]:
            return None
        raw = environ["wsgi.input"].read(length)
        environ["wsgi.input"] = io.BytesIO(raw)
        environ["CONTENT_LENGTH"] = str(len(raw))
        return raw

    def _apply(self, raw, environ):
        """(status, body) once applied; None to let the view answer (its checks and errors)."""
        config = self.app.config
        if not webhooks.signature_ok(raw, environ.get("HTTP_X_HUB_SIGNATURE_256"), config.get("WHATSAPP_APP_SECRET")):
            return None
        try:
            payload = json.loads(raw)
        except (ValueError, RecursionError):
            return None
        now = self.clock.now()
        notification = Notification(*webhooks.parse(payload, now, config.get("WHATSAPP_PHONE_NUMBER_ID")))
        try:
            summary = self.batcher.apply(notification, raw, now) if notification.statuses or notification.incoming \
                else notification.summary()
        except FutureTimeout:
            log.warning("webhook not committed in time: 503, Meta sends it again")
            return "503 SERVICE UNAVAILABLE", UNAVAILABLE
        except Exception:  # its group failed and so did it alone: the view tries once more and answers the error
            return None
        return "200 OK", (json.dumps(summary, sort_keys=True, separators=(",", ":")) + "\n").encode()

    def _respond(self, environ, start_response, status, body, started):
        """Start the response with the app's headers; log it when slow, as chatbot/timing.py does."""
        duration_ms = (time.perf_counter() - started) * 1000
        headers = [("Content-Type", "application/json"), ("Content-Length", str(len(body))),
                   ("Server-Timing", f"app;dur={duration_ms:.2f}"), *self.headers]
        if status.startswith("503"):
            headers.append(("Retry-After", "1"))
        if self.hsts and is_secure(environ):
            headers.append(("Strict-Transport-Security", self.hsts))
        if duration_ms >= self.app.config["SLOW_REQUEST_MS"]:
            timing_log.warning("slow request", extra={"method": "POST", "path": PATH, "status": int(status[:3]),
                                                      "duration_ms": round(duration_ms, 2), "cache": None})
        start_response(status, headers)
        return [body]


def init_app(app):
    """Put the fast path in front of the app (the test client goes through it too)."""
    app.wsgi_app = WebhookFastPath(app, app.wsgi_app)
