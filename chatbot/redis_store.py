"""The one Redis connection pool of the process, behind a circuit breaker.

The cache, the monitoring counters and the scheduler locks all go through `RedisStore`, so a
dead Redis is noticed once and then skipped by everyone for a cool-down, instead of each
request paying a connect timeout.
"""
import logging
import threading

import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

log = logging.getLogger(__name__)

REDIS_ERRORS = (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError,
                redis.exceptions.BusyLoadingError, OSError)


class RedisUnavailable(RuntimeError):
    """Redis is down or the breaker is open: callers fall back to the database."""


class CircuitBreaker:
    """Closed: calls go through. One failure opens it for `cooldown` seconds; then one probe
    call is let through (half-open) and its outcome closes or re-opens it."""

    def __init__(self, clock, cooldown=5.0, max_cooldown=30.0):
        self.clock = clock
        self.base_cooldown = cooldown
        self.max_cooldown = max_cooldown
        self.cooldown = cooldown
        self.open_until = None
        self.probing = False
        self._lock = threading.Lock()

    @property
    def is_open(self):
        """True while calls must be skipped."""
        return self.open_until is not None

    def allow(self):
        """May a call go to Redis now? Lets one probe through after the cool-down."""
        if self.open_until is None:
            return True
        with self._lock:
            if self.open_until is None:
                return True
            if self.clock.monotonic() >= self.open_until and not self.probing:
                self.probing = True
                return True
            return False

    def success(self):
        """A call reached Redis: close the breaker; True if it was open (Redis just came back)."""
        if self.open_until is None:
            return False
        with self._lock:
            reopened = self.open_until is not None
            if reopened:
                log.warning("redis reachable again: cache back on")
            self.open_until, self.probing, self.cooldown = None, False, self.base_cooldown
            return reopened

    def release_probe(self):
        """A probe ended without telling whether Redis is up: let the next call probe again."""
        with self._lock:
            self.probing = False

    def failure(self, exc):
        """A call failed: open (or re-open, with a longer cool-down)."""
        with self._lock:
            if self.open_until is not None and self.probing:
                self.cooldown = min(self.cooldown * 2, self.max_cooldown)
            elif self.open_until is None:
                log.warning("redis unavailable (%s): serving from the database for %.0fs",
                            exc.__class__.__name__, self.cooldown)
            self.open_until = self.clock.monotonic() + self.cooldown
            self.probing = False


class RedisStore:
    """Owns the process's connection pool; `call(fn)` runs `fn(client)` through the breaker."""

    def __init__(self):
        self.client = None
        self.pool = None
        self.breaker = None
        self._recovery_hooks = []

    def init_app(self, app, clock):
        """Build the pool from REDIS_URL (rediss:// for TLS); opens no connection yet."""
        cfg = app.config
        if self.pool is not None:
            # A second app in the same process (tests, CLI) replaces the pool: close the old sockets.
            self.pool.disconnect()
        self.pool = redis.ConnectionPool.from_url(
            cfg["REDIS_URL"],
            socket_timeout=cfg["REDIS_SOCKET_TIMEOUT"],
            socket_connect_timeout=cfg["REDIS_CONNECT_TIMEOUT"],
            health_check_interval=30,
            max_connections=cfg["REDIS_MAX_CONNECTIONS"],
            # No client-side retries: the breaker decides, and a retry multiplies the wait on a dead host.
            retry=Retry(NoBackoff(), 0),
        )
        self.client = redis.Redis(connection_pool=self.pool)
        self.breaker = CircuitBreaker(clock, cooldown=cfg["REDIS_BREAKER_COOLDOWN"])
        self._recovery_hooks = []
        app.extensions["redis_store"] = self

    def on_recovery(self, hook):
        """Run `hook()` right after Redis comes back from an outage (e.g. apply the invalidations on record)."""
        self._recovery_hooks.append(hook)

    @property
    def available(self):
        """False while the breaker is open (no network call)."""
        return self.breaker is not None and not self.breaker.is_open

    def call(self, fn):
        """Run `fn(client)`; raise RedisUnavailable when the breaker is open or Redis cannot be reached.

        Other Redis errors (a script error, OOM) mean Redis answered: they close the breaker and propagate.
        """
        if self.breaker is None or not self.breaker.allow():
            raise RedisUnavailable("circuit open")
        try:
            result = fn(self.client)
        except REDIS_ERRORS as exc:
            self.breaker.failure(exc)
            self.pool.disconnect(inuse_connections=False)
            raise RedisUnavailable(str(exc)) from exc
        except redis.exceptions.RedisError:
            self._succeeded()  # Redis answered (an error reply): it is reachable
            raise
        except BaseException:
            # Never leave a half-open probe hanging: that would keep the breaker open for good.
            self.breaker.release_probe()
            raise
        self._succeeded()
        return result

    def _succeeded(self):
        """Close the breaker; on the way back from an outage, run the recovery hooks once."""
        if self.breaker.success():
            for hook in list(self._recovery_hooks):
                try:
                    hook()
                except RedisUnavailable:
                    pass

    def ping(self):
        """True if Redis answers now (through the breaker)."""
        try:
            return bool(self.call(lambda r: r.ping()))
        except RedisUnavailable:
            return False
