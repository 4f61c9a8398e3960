"""Failure limits (N failures per key per window) on the shared Redis, per process while it is down.

`limits` (the counting engine under Flask-Limiter, same maintainers) does the arithmetic; we keep the
storage choice: its Redis storage on *our* pool, called through the circuit breaker, so an outage is
noticed once and then costs nothing, and an in-memory storage of this process takes over meanwhile.
Reusable: `failure_limit("login-email", app.config["LOGIN_EMAIL_LIMIT"])` is all a new limit needs.
"""
import math
import time

from flask import current_app
from limits import parse
from limits.storage import MemoryStorage, RedisStorage
from limits.strategies import FixedWindowRateLimiter

from chatbot.config import ConfigValueError
from chatbot.errors import ApiError
from chatbot.redis_store import RedisUnavailable

# Under `cache:`, one of the prefixes the contract lets us write (a new top-level prefix would not be ours):
# keys are `cache:ratelimit:LIMITER/<limit name>/<key>/<amount>/<multiples>/<granularity>`.
KEY_PREFIX = "cache:ratelimit"


class RateLimited(ApiError):
    """Too many failures from this key: 429, with Retry-After (seconds) set by the handler."""

    status, code = 429, "too_many_requests"

    def __init__(self, retry_after):
        super().__init__(f"too many failed attempts; retry in {retry_after} s", {"retry_after": retry_after})
        self.retry_after = retry_after


class Limiters:
    """The limiter on the shared Redis (behind the breaker) and this process's fallback in memory."""

    def __init__(self, redis_store, redis_url):
        self.redis_store = redis_store
        storage = RedisStorage(redis_url, connection_pool=redis_store.pool, key_prefix=KEY_PREFIX)
        self.shared = FixedWindowRateLimiter(storage)
        self.local = FixedWindowRateLimiter(MemoryStorage())

    def run(self, fn):
        """`fn(limiter)` on Redis; on this process's memory when Redis is unreachable or the breaker is open."""
        try:
            return self.redis_store.call(lambda _client: fn(self.shared))
        except RedisUnavailable:
            return fn(self.local)


class FailureLimit:
    """At most `limit` (e.g. "10 per minute") failures per key: `check` before trying, `fail` after a failure."""

    def __init__(self, name, limit, limiters):
        self.name = name
        self.item = parse(limit)
        self.limiters = limiters

    def check(self, key):
        """Raise RateLimited if `key` has used up its failures in the current window."""
        reset_at = self.exhausted_until(key)
        if reset_at is not None:
            raise RateLimited(max(1, math.ceil(reset_at - time.time())))

    def fail(self, key):
        """Count one failure for `key`."""
        self.limiters.run(lambda limiter: limiter.hit(self.item, self.name, key))

    def exhausted_until(self, key):
        """None while `key` has failures left, else when its window ends (epoch seconds)."""
        return self.limiters.run(self._reset_if_exhausted(key))

    def _reset_if_exhausted(self, key):
        """A call for `Limiters.run`: None while failures are left, else when the window ends (epoch seconds)."""
        def probe(limiter):
            """None, or the end of the window that used them up."""
            if limiter.test(self.item, self.name, key):
                return None
            return limiter.get_window_stats(self.item, self.name, key).reset_time
        return probe


def failure_limit(name, limit, app=None):
    """The FailureLimit `name` of `app` (default: the current app), built once per app."""
    app = app or current_app
    limits = app.extensions.setdefault("failure_limits", {})
    if name not in limits:
        limits[name] = FailureLimit(name, limit, app.extensions["rate_limiters"])
    return limits[name]


def init_app(app, limit_settings=("AUTH_FAILURE_LIMIT", "LOGIN_FAILURE_LIMIT")):
    """One pair of limiters per app, on the app's Redis pool; a limit `limits` cannot read stops start-up."""
    for name in limit_settings:
        try:
            parse(app.config[name])
        except ValueError:
            raise ConfigValueError(f"{name} must read like '10 per minute', not {app.config[name]!r}") from None
    app.extensions["rate_limiters"] = Limiters(app.extensions["redis_store"], app.config["REDIS_URL"])
