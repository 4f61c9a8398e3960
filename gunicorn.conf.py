"""Gunicorn settings read from the dyno's environment (Heroku sets PORT and WEB_CONCURRENCY).

Serving model: gevent workers (README, "Serving model"). Each connection is a greenlet, not a thread, so
clients that send their headers or bodies slowly hold a greenlet each (cheap) instead of one of a few
threads, and long-lived event streams cost a greenlet each. The worker patches the standard library
(sockets, threads, locks, sleep) before it loads the app: psycopg 3, redis-py, APScheduler's
BackgroundScheduler and the dispatcher's ThreadPoolExecutor then cooperate without code changes.
Nothing here may import the app or gevent: this file is read by the master, before any patching.
"""
import json
import os

bind = f"0.0.0.0:{os.environ.get('PORT', '5000')}"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
worker_class = os.environ.get("GUNICORN_WORKER_CLASS", "gevent")
# SO_REUSEPORT: each worker listens on a socket of its own (gunicorn >= 23) and the kernel spreads new
# connections evenly between them; on one shared socket the worker that wakes first takes a burst of them (the
# event-stream bench saw 16 + 0). On in production only, as Heroku's own Python template does (a second server
# started on the same port by mistake would otherwise bind silently on a developer's machine).
reuse_port = os.environ.get("GUNICORN_REUSE_PORT", "true" if os.environ.get("APP_ENV") == "production" else "false"
                            ).lower() in ("1", "true", "yes", "on")
# Connections (greenlets) per worker: slow clients and event streams included.
worker_connections = int(os.environ.get("GUNICORN_WORKER_CONNECTIONS", "1000"))
# Only read by the gthread worker (GUNICORN_WORKER_CLASS=gthread, the former model).
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
# Each worker builds its own app (and so its own Redis pool and scheduler): preloading would
# share sockets opened in the master across forks, and would import the app before gevent patches.
preload_app = False
accesslog = "-" if os.environ.get("GUNICORN_ACCESS_LOG", "false").lower() in ("1", "true", "yes") else None
# Path without the query string: gunicorn's access log bypasses our masking, and queries carry secrets and
# numbers (`hub.verify_token=`, `search=+1415...`).
access_log_format = '%(h)s "%(m)s %(U)s %(H)s" %(s)s %(b)s %(M)sms'

# The API's code for each status gunicorn answers by itself (requests it cannot parse).
ERROR_CODES = {400: "bad_request", 403: "forbidden", 414: "uri_too_long", 417: "expectation_failed",
               431: "request_header_fields_too_large", 500: "internal_error", 501: "not_implemented"}


def write_json_error(sock, status_int, reason, mesg):
    """gunicorn.util.write_error, but the contract's JSON envelope instead of an HTML page.

    The message is the status's reason only: gunicorn's own message quotes the request line or header.
    """
    from gunicorn import util
    body = json.dumps({"error": {"code": ERROR_CODES.get(status_int, "http_error"), "message": reason,
                                 "details": {}}}).encode()
    head = (f"HTTP/1.1 {status_int} {reason}\r\nConnection: close\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\n\r\n").encode("latin1")
    util.write_nonblock(sock, head + body)


def post_worker_init(worker):
    """In each worker, before it serves: gunicorn's error pages (400, 414, 431...) as JSON (the worker calls
    util.write_error), the cache invalidations left on record by a process that died in an outage, and the app's
    objects frozen out of the cyclic GC (they live as long as the worker: full collections then skip them, which
    took the p99 of cached stats under wrk -c16 from 250-360 ms to 50-60 ms together with post_request's yield)."""
    import gc

    from gunicorn import util

    from chatbot.cache import drain_at_start, start_local_copy
    util.write_error = write_json_error
    drain_at_start(worker.wsgi)
    start_local_copy(worker.wsgi)  # CACHE_LOCAL_COPY: this worker serves copies once its subscriber registered
    gc.freeze()


def worker_exit(server, worker):
    """A worker leaving (shutdown, restart) leaves the local copies' members: writes stop waiting for it."""
    wsgi = getattr(worker, "wsgi", None)  # the app, once the worker has loaded it
    if hasattr(wsgi, "extensions"):
        from chatbot.cache import stop_local_copy
        stop_local_copy(wsgi)


def post_request(worker, req, environ, resp):
    """Under gevent, yield once after each request: sleep(0) puts this greenlet behind every one that is ready.
    Without it a keep-alive client that answers fast is served again before the worker's other connections get
    their turn (wrk -c16 on cached stats: p50 10 ms, p99 450-630 ms; with it 87-281 ms, and 50-60 ms with
    gc.freeze). Checked by tests/serving/test_fairness.py."""
    if worker.__class__.__name__.startswith("GeventWorker"):
        import gevent
        gevent.sleep(0)
