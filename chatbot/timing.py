"""Server-Timing on every response; a structured log line per request of the critical endpoints."""
import logging
import time

from flask import current_app, g, request

from chatbot.logging import ACCESS_FIELDS

log = logging.getLogger("chatbot.requests")

# The endpoints the dashboard polls: each request gets an INFO line with its duration.
CRITICAL_PREFIXES = ("/api/messages", "/api/categories", "/api/cache/stats", "/api/monitoring")
ACCESS_LINE = ("method", "path", "status", "duration_ms", "cache")  # the fields of its line, in this order


def finish(method, path, status, started, cache, slow_ms):
    """The Server-Timing value of a request begun at `started` (perf_counter); logs its line if slow or critical.

    Shared by Flask's after-request hook and the cached reads' fast path (chatbot/blueprints/fast.py)."""
    duration_ms = (time.perf_counter() - started) * 1000
    fields = {"method": method, "path": path, "status": status, "duration_ms": round(duration_ms, 2), "cache": cache}
    if duration_ms >= slow_ms:
        log.warning("slow request", extra=fields)
    elif path.startswith(CRITICAL_PREFIXES) and log.isEnabledFor(logging.INFO):
        # The record built directly: log.info would first walk the stack for the caller's file and line, which
        # no handler of ours prints (the same line, handlers, filter and fields; a few per cent of a cached hit).
        fields[ACCESS_FIELDS] = ACCESS_LINE  # formatted by JsonLines' direct path (chatbot/logging.py)
        log.handle(log.makeRecord(log.name, logging.INFO, "(unknown file)", 0, "request", None, None, extra=fields))
    return f"app;dur={duration_ms:.2f}"


def start_timer():
    """Note when the request began."""
    g.request_started = time.perf_counter()


def add_server_timing(response):
    """Server-Timing, and the request's log line."""
    started = g.get("request_started")
    if started is None:
        return response
    response.headers["Server-Timing"] = finish(request.method, request.path, response.status_code, started,
                                               response.headers.get("X-Cache"), current_app.config["SLOW_REQUEST_MS"])
    return response


def init_app(app):
    """Time each request; log the critical and the slow ones."""
    app.before_request(start_timer)
    app.after_request(add_server_timing)
