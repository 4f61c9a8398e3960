"""A cached read's MGET handed from the fast path (chatbot/blueprints/fast.py) to Flask's path for the same request.

The fast path reads value, generation and failure counter before Flask runs; when it cannot answer (a miss, a
limited address) Flask's path takes that answer instead of asking Redis again: one MGET per request, as before.
Kept in the request's environ (as chatbot/security/folded.py keeps its pending check), and taken only for the same
names; a read that found Redis away is handed on as such (no second try, no second error counted).
"""
from flask import has_request_context, request

from chatbot.redis_store import RedisUnavailable

ENVIRON_KEY = "chatbot.cache.prefetched"  # (names, values or None when Redis was away)


def stash(environ, names, values):
    """Leave this request's MGET answer (None: Redis away) for Flask's path."""
    environ[ENVIRON_KEY] = (names, values)


def take(names):
    """The values the fast path read for exactly these names (None if it read nothing); RedisUnavailable if it
    found Redis away."""
    if not has_request_context():
        return None
    found = request.environ.pop(ENVIRON_KEY, None)
    if found is None or found[0] != names:
        return None
    if found[1] is None:
        raise RedisUnavailable("redis unavailable (the fast path's read)")
    return found[1]
