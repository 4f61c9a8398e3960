"""Server-Timing on every response; a structured log line per request of the critical endpoints."""
import logging
import time

from flask import g, request

log = logging.getLogger("chatbot.requests")

# The endpoints the dashboard polls: each request gets an INFO line with its duration.
CRITICAL_PREFIXES = ("/api/messages", "/api/categories", "/api/cache/stats", "/api/monitoring")


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
        elif request.path.startswith(CRITICAL_PREFIXES):
            log.info("request", extra=fields)
        return response
