"""One injectable clock: services ask it for the time, tests move it instead of sleeping."""
import datetime as dt
import threading
import time

from flask import current_app, has_app_context


class SystemClock:
    """The real time: aware UTC datetimes and a monotonic counter."""

    def now(self):
        """Current time, timezone-aware UTC."""
        return dt.datetime.now(dt.timezone.utc)

    def monotonic(self):
        """Seconds for measuring intervals (never goes back)."""
        return time.monotonic()


class FrozenClock:
    """A clock that only moves when told to (tests, benchmarks)."""

    def __init__(self, start=None):
        self._now = start or dt.datetime(2026, 1, 15, 12, 0, tzinfo=dt.timezone.utc)
        self._mono = 1000.0
        self._lock = threading.Lock()

    def now(self):
        """The frozen time."""
        return self._now

    def monotonic(self):
        """Frozen monotonic seconds."""
        return self._mono

    def advance(self, **delta):
        """Move both clocks forward by a timedelta's keywords (hours=24, seconds=5...)."""
        step = dt.timedelta(**delta)
        with self._lock:
            self._now += step
            self._mono += step.total_seconds()

    def set(self, when):
        """Jump to an aware datetime."""
        with self._lock:
            self._mono += max((when - self._now).total_seconds(), 0)
            self._now = when


_system = SystemClock()


def get_clock(app=None):
    """The app's clock (config `CLOCK`), or the system clock outside an app."""
    if app is None and has_app_context():
        app = current_app
    if app is not None:
        return app.extensions.get("clock", _system)
    return _system


def utcnow():
    """Shortcut: the current app's now()."""
    return get_clock().now()


def init_app(app):
    """Install the clock given in config (tests pass a FrozenClock), else the system one."""
    app.extensions["clock"] = app.config.get("CLOCK") or _system
