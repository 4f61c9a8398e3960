"""Redis locks across dynos: SET NX PX with a random token, released only by its holder (Lua compare-and-delete).

Every call goes through `redis_store.call` (the shared pool and its circuit breaker). A lock never
blocks: it is taken at once or reported busy, and callers decide what to do when Redis is away
(the sweep and the dispatcher run anyway; both are safe without the lock, see chatbot/scheduler/jobs.py).
With `renew`, a thread extends the lock while its holder works, so the ttl can stay short (a crashed
holder frees it soon) however long a run takes.
"""
import contextlib
import logging
import secrets
import threading

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
# Extend the expiry only while the key still holds our token.
RENEW_SCRIPT = """
if redis.call('get', KEYS[1]) == ARGV[1] then
    return redis.call('pexpire', KEYS[1], ARGV[2])
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

    def extend(self):
        """Reset the expiry to a full ttl if we still hold the lock; False if it was lost."""
        token = self.token
        if token is None:
            return False
        try:
            return bool(redis_store.call(lambda r: r.eval(RENEW_SCRIPT, 1, self.name, token, self.ttl_ms)))
        except RedisUnavailable:
            return False

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


class Renewal:
    """A daemon thread extending a held lock every third of its ttl until stopped (or the lock is lost)."""

    def __init__(self, lock):
        self.lock = lock
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._run, name=f"renew {lock.name}", daemon=True)

    def _run(self):
        # Real time, not the app clock: Redis expires keys in real time.
        while not self.stopped.wait(self.lock.ttl_ms / 3000):
            if not self.lock.extend():
                log.warning("%s lost while held (expired or redis unavailable)", self.lock.name)
                return

    def start(self):
        """Start renewing."""
        self.thread.start()
        return self

    def stop(self):
        """Stop renewing (before the release)."""
        self.stopped.set()
        self.thread.join()


@contextlib.contextmanager
def hold(name, ttl_seconds, renew=False):
    """`with hold(name, ttl) as lock:` tries the lock once; check `lock.state`; released on exit.

    `renew` keeps extending it while the block runs.
    """
    lock = RedisLock(name, ttl_seconds)
    renewal = Renewal(lock).start() if lock.acquire() == ACQUIRED and renew else None
    try:
        yield lock
    finally:
        if renewal is not None:
            renewal.stop()
        lock.release()


def claim(name, ttl_seconds):
    """A once-only marker (SET NX, never released, expires after ttl): ACQUIRED, BUSY or UNAVAILABLE."""
    return RedisLock(name, ttl_seconds).acquire()
