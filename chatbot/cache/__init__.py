"""The Redis cache: Flask-Caching's RedisCache (prefix `cache:`, JSON) on the shared pool,
cache-aside with exact invalidation (`aside.py`, `invalidation.py`) and metrics (`metrics.py`)."""
import logging

from flask import current_app

from chatbot.cache.aside import BYPASS, HIT, MISS, CacheAside
from chatbot.cache.backend import KEY_PREFIX
from chatbot.cache.metrics import CacheMetrics
from chatbot import unit_of_work
from chatbot.clock import get_clock
from chatbot.extensions import cache, redis_store

__all__ = ["BYPASS", "HIT", "MISS", "drain_at_start", "get_cache", "get_metrics", "init_app", "start_local_copy",
           "stop_local_copy"]


def init_app(app):
    """Bind Flask-Caching to the shared pool and build this app's cache-aside and metrics."""
    ttl = app.config["CACHE_TTL_SECONDS"]
    cache.init_app(app, config={
        "CACHE_TYPE": "chatbot.cache.backend.shared_redis_cache",
        "CACHE_KEY_PREFIX": KEY_PREFIX,
        "CACHE_DEFAULT_TIMEOUT": ttl,
    })
    backend = app.extensions["cache"][cache]
    metrics = CacheMetrics(redis_store, get_clock(app), app.config["CACHE_METRICS_FLUSH_SECONDS"])
    app.extensions["cache_metrics"] = metrics
    aside = app.extensions["cache_aside"] = CacheAside(redis_store, backend, metrics, ttl, get_clock(app))
    if app.config["CACHE_LOCAL_COPY"]:
        from chatbot.cache.local import LocalCopy, channel_of
        aside.local = LocalCopy(redis_store, channel_of(app.config), app.config["CACHE_LOCAL_LEASE_SECONDS"],
                                app.config["CACHE_LOCAL_ACK_SECONDS"])
    from chatbot.cache import durable
    from chatbot.cache.invalidation import invalidate_events
    unit_of_work.on_before_commit(app, durable.record_if_away)
    unit_of_work.on_after_commit(app, invalidate_events)


def get_cache(app=None):
    """This app's CacheAside."""
    return (app or current_app).extensions["cache_aside"]


def get_metrics(app=None):
    """This app's CacheMetrics."""
    return (app or current_app).extensions["cache_metrics"]


def start_local_copy(app):
    """In a serving process (gunicorn's post_worker_init): join the local copies, when CACHE_LOCAL_COPY is on.
    Elsewhere (the CLI, tests) a process only announces its writes: it serves no copy of its own."""
    local = get_cache(app).local
    if local is not None:
        local.start()


def stop_local_copy(app):
    """A worker on its way out leaves the members at once (else the next write would wait out its lease)."""
    local = get_cache(app).local
    if local is not None:
        local.stop()


def drain_at_start(app):
    """Before a new process serves: apply the invalidations on record (a process may have died owing them)."""
    from sqlalchemy.exc import SQLAlchemyError

    from chatbot.extensions import db
    from chatbot.redis_store import RedisUnavailable
    with app.app_context():
        try:
            get_cache(app).drain()
        except (RedisUnavailable, SQLAlchemyError):
            get_cache(app).dirty = True  # the first read tries again
            logging.getLogger("chatbot.cache").warning("cache: record not applied at start", exc_info=True)
        finally:
            db.session.remove()
