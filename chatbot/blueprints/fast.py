"""The cached reads' fast path: a hit of GET /api/messages/stats or GET /api/categories with API_TOKEN, answered by a
WSGI step in front of Flask with the answer Flask's path gives, for a fraction of its CPU.

Why: through Flask a hit runs four before-request and four after-request hooks, two contexts, routing, a session
and header objects: ~300 µs of CPU on the bench machine, against ~50 µs for a bare Flask view (bench/peers_cpu.py).
Only what it can answer exactly; anything else goes on to Flask untouched:
- GET of one of the two paths, no query string, no body, no cookie, no If-None-Match, and the Authorization header
  exactly `Bearer <API_TOKEN>`: an admin, as chatbot/auth.py decides, with no database read (a session or a
  personal token needs its row read: Flask's path);
- one MGET, as CacheAside reads (value, generation, and the bearer failure limit's counter as
  chatbot/security/folded.py folds it in), through the breaker and the metrics; the record of invalidations
  checked first as `CacheAside._must_check` says;
- a hit for an address whose failures are not used up: the stored bytes (or their gzip copy) with the headers of
  `cached()` (chatbot/blueprints/common.py), Talisman's (a fresh nonce; HSTS by its rule), Server-Timing and the
  access line (chatbot/timing.py); the hit counted in the metrics.
- a miss, a limited address, Redis away: Flask's path, handed the MGET's answer (chatbot/cache/prefetch.py), so the
  request still costs one MGET and answers MISS, 429 or BYPASS exactly as before.
tests/cache/test_fast.py compares its answers with Flask's, header by header, and checks each fall-through.
"""
import hmac
import time

from werkzeug.middleware.proxy_fix import ProxyFix

from chatbot.blueprints.common import representation
from chatbot.cache import HIT, keys, prefetch
from chatbot.redis_store import RedisUnavailable
from chatbot.security import folded
from chatbot.security.headers import is_secure, talisman
from chatbot.security.ratelimit import failure_limit
from chatbot.timing import finish

ROUTES = {"/api/messages/stats": keys.stats(), "/api/categories": keys.category_list()}
# A request carrying any of these is not one the fast path answers alike: Flask's path takes it.
DECLINED = ("QUERY_STRING", "HTTP_COOKIE", "HTTP_IF_NONE_MATCH", "HTTP_TRANSFER_ENCODING")


class FastPath:
    """WSGI middleware: a cached hit answered here, everything else passed to `wsgi_app`."""

    def __init__(self, app, wsgi_app):
        self.app, self.wsgi_app = app, wsgi_app

    def __call__(self, environ, start_response):
        """Answer a cached hit, or hand the request on."""
        key = ROUTES.get(environ.get("PATH_INFO"))
        if key is None or not self._plain(environ):
            return self.wsgi_app(environ, start_response)
        started = time.perf_counter()
        headers = talisman.listed(is_secure(environ))  # None until Flask's path has served a first request
        hit = self._hit(environ, key) if headers is not None else None
        if hit is None:
            return self.wsgi_app(environ, start_response)
        config = self.app.config
        tag, body, encoding = representation(hit, environ.get("HTTP_ACCEPT_ENCODING", ""), config)
        listed = [("Content-Type", "application/json"), ("Content-Length", str(len(body)))]
        if encoding:
            listed.append(("Content-Encoding", encoding))
        listed += [("X-Cache", HIT), ("Cache-Control", "no-cache"), ("Vary", "Accept-Encoding"), ("ETag", f'"{tag}"')]
        listed.append(("Server-Timing", finish("GET", environ["PATH_INFO"], 200, started, HIT,
                                               config["SLOW_REQUEST_MS"])))
        start_response("200 OK", listed + headers)
        return [body]

    def _plain(self, environ):
        """GET with exactly API_TOKEN, and nothing that Flask's path would answer differently."""
        if environ.get("REQUEST_METHOD") != "GET" or any(environ.get(name) for name in DECLINED):
            return False
        token = self.app.config.get("API_TOKEN")
        if not token or environ.get("CONTENT_LENGTH", "0") not in ("", "0"):
            return False
        return hmac.compare_digest(environ.get("HTTP_AUTHORIZATION", "").encode(), f"Bearer {token}".encode())

    def _hit(self, environ, key):
        """The stored bytes of a hit whose address may read, or None (the MGET's answer left for Flask's path)."""
        cache, store = self.app.extensions["cache_aside"], self.app.extensions["redis_store"]
        limit = failure_limit("auth-token", self.app.config["AUTH_FAILURE_LIMIT"], self.app)
        counter_key = folded.counter_key_of(limit, environ.get("REMOTE_ADDR") or "unknown")
        copy = cache.local.get(key, counter_key) if cache.local else None
        if copy is not None:  # this process's copy (chatbot/cache/local.py), its address not limited: no round trip
            cache.metrics.hit()
            return copy
        if not store.available:
            return None  # the breaker is open: Flask's path serves from the database (BYPASS)
        names, epoch = cache.names(key, counter_key), cache.local.epoch if cache.local else None
        try:
            values = cache.read_plain(key, names)
        except RedisUnavailable:
            values = None
            prefetch.stash(environ, names, None)
            return None
        if values is None:
            return None  # the record of invalidations to apply first: Flask's path does
        if folded.exhausted(limit, values[2]) or not cache.serializer.stored(values[0]):
            prefetch.stash(environ, names, values)  # a 429 or a miss, answered by Flask's path from this read
            return None
        cache.metrics.hit()
        if cache.local:
            cache.local.keep(key, values[0], epoch)
        return values[0]


def init_app(app):
    """Put the fast path in front of Flask, inside ProxyFix when there is one (it reads the address ProxyFix sets)."""
    outer = app.wsgi_app
    if isinstance(outer, ProxyFix):
        outer.app = FastPath(app, outer.app)
    else:
        app.wsgi_app = FastPath(app, outer)
