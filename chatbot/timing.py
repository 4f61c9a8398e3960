"""Server-Timing on every response; a structured log line per request of the critical endpoints."""
import logging
import time

from flask import g, request

from chatbot.logging import ACCESS_FIELDS

log = logging.getLogger("chatbot.requests")

# The endpoints the dashboard polls: each request gets an INFO line with its duration.
CRITICAL_PREFIXES = ("/api/messages", "/api/categories", "/api/cache/stats", "/api/monitoring")
ACCESS_LINE = ("method", "path", "status", "duration_ms", "cache")  # the fields of its line, in this order


def init_app(app):
    """Time each request; log the critical and the slow ones."""
    slow_ms = app.config["SLOW_REQUEST_MS"]

    @app.before_request
    def start_timer():
        g.request_started = time.perf_counter()

    @app.after_request
    def add_server_timing(response):
        started = g.get("request_started")
        if started is None:
            return response
        duration_ms = (time.perf_counter() - started) * 1000
        response.headers["Server-Timing"] = f"app;dur={duration_ms:.2f}"
        fields = {"method": request.method, "path": request.path, "status": response.status_code,
                  "duration_ms": round(duration_ms, 2), "cache": response.headers.get("X-Cache")}
        if duration_ms >= slow_ms:
            log.warning("slow request", extra=fields)
        elif request.path.startswith(CRITICAL_PREFIXES) and log.isEnabledFor(logging.INFO):
            # The record built directly: log.info would first walk the stack for the caller's file and line, which
            # no handler of ours prints (the same line, handlers, filter and fields; a few per cent of a cached hit).
            fields[ACCESS_FIELDS] = ACCESS_LINE  # formatted by JsonLines' direct path (chatbot/logging.py)
            log.handle(log.makeRecord(log.name, logging.INFO, "(unknown file)", 0, "request", None, None, extra=fields))
        return response
