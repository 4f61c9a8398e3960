"""Redis locks across dynos: SET NX PX with a random token, released only by its holder (Lua compare-and-delete).

Every call goes through `redis_store.call` (the shared pool and its circuit breaker). A lock never
blocks: it is taken at once or reported busy, and callers decide what to do when Redis is away
(the sweep and the dispatcher run anyway; both are safe without the lock, see chatbot/scheduler/jobs.py).
"""
import contextlib
import logging
import secrets

from chatbot.extensions import redis_store
from chatbot.redis_store import RedisUnavailable

log = logging.getLogger(__name__)

ACQUIRED, BUSY, UNAVAILABLE = "acquired", "busy", "unavailable"

# Delete the key only while it still holds our token: once our lock has expired and another
# process has taken it, our late release must leave theirs alone.
RELEASE_SCRIPT = """
if redis.call('get', KEYS[1]) == ARGV[1] then
    return redis.call('del', KEYS[1])
end
return 0
"""


class RedisLock:
    """One holder at a time across processes, for at most `ttl_seconds` (then it expires by itself)."""

    def __init__(self, name, ttl_seconds):
        self.name = name
        self.ttl_ms = max(int(ttl_seconds * 1000), 1)
        self.token = None
        self.state = None

    def acquire(self):
        """Try once (no waiting); set and return `state`: ACQUIRED, BUSY or UNAVAILABLE."""
        token = secrets.token_hex(16)
        try:
            taken = redis_store.call(lambda r: r.set(self.name, token, nx=True, px=self.ttl_ms))
        except RedisUnavailable:
            self.state = UNAVAILABLE
            return self.state
        self.token = token if taken else None
        self.state = ACQUIRED if taken else BUSY
        return self.state

    @property
    def held(self):
        """True while we hold the lock (as far as we know: it may have expired)."""
        return self.token is not None

    def release(self):
        """Delete the key if it still holds our token; True if this call released it."""
        if self.token is None:
            return False
        token, self.token = self.token, None
        try:
            released = redis_store.call(lambda r: r.eval(RELEASE_SCRIPT, 1, self.name, token))
        except RedisUnavailable:
            # It expires by itself after ttl; nothing else to do.
            log.warning("could not release %s: redis unavailable (it expires by itself)", self.name)
            return False
        if not released:
            log.warning("%s had expired before its release (held longer than its ttl)", self.name)
        return bool(released)


@contextlib.contextmanager
def hold(name, ttl_seconds):
    """`with hold(name, ttl) as lock:` tries the lock once; check `lock.state`; released on exit."""
    lock = RedisLock(name, ttl_seconds)
    lock.acquire()
    try:
        yield lock
    finally:
        lock.release()


def claim(name, ttl_seconds):
    """A once-only marker (SET NX, never released, expires after ttl): ACQUIRED, BUSY or UNAVAILABLE."""
    return RedisLock(name, ttl_seconds).acquire()
