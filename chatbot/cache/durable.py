"""Invalidations Redis could not take, kept in the database until a process has applied them.

A write commits whether or not Redis answers (degraded mode). When Redis cannot take the write's
invalidation, the keys go to `cache_invalidations`:
- in the write's own transaction when this process already knows Redis is away (breaker open): the
  record commits with the write or not at all, so even a process killed right after the commit owes
  nothing;
- in a transaction of their own when Redis failed only on the invalidation itself, just after the commit.
Every process applies the table (drops the keys in Redis, then deletes the rows it applied) before it
trusts a cached value again: at start (gunicorn's post_worker_init), and after each outage it saw, on
every read for as long as another process's breaker can still be open (a writer that has not probed
yet records instead of delivering). Readers that never saw an outage saw no write hidden by one either.
"""
from sqlalchemy import delete, select

from chatbot import unit_of_work
from chatbot.extensions import db, redis_store
from chatbot.models import CacheInvalidation

RECORDED = "chatbot.cache.durable.recorded"  # session.info flag: this transaction's keys are on record
BATCH = 1000


def keys_of(events):
    """The cache keys these events drop (the invalidation table)."""
    from chatbot.cache.invalidation import keys_for_events
    return keys_for_events(events)


def record_if_away(events):
    """Before-commit effect: with the breaker open, put this write's keys on record in its transaction."""
    if redis_store.available:
        return
    keys = keys_of(events)
    if keys:
        db.session.add(CacheInvalidation(keys=keys))
        db.session.info[RECORDED] = True


def take_recorded_flag():
    """Did this session's last transaction record its keys already? (Read once, after the commit.)"""
    return db.session.info.pop(RECORDED, False)


def record(keys):
    """After a commit whose invalidation failed: the keys on record, in a transaction of their own."""
    with unit_of_work.writing():
        db.session.add(CacheInvalidation(keys=sorted(keys)))


def pending():
    """(last id, keys) of the invalidations on record, oldest first, up to BATCH rows; (None, []) if none."""
    rows = db.session.execute(select(CacheInvalidation.id, CacheInvalidation.keys)
                              .order_by(CacheInvalidation.id).limit(BATCH)).all()
    if not rows:
        return None, []
    keys = set()
    for row in rows:
        keys.update(row.keys)
    return rows[-1].id, sorted(keys)


def forget(last_id):
    """Delete the rows up to `last_id`: their keys were dropped in Redis (call only after that)."""
    with unit_of_work.writing():
        db.session.execute(delete(CacheInvalidation).where(CacheInvalidation.id <= last_id))


def scan_unlink(r, prefix, namespace=None):
    """Delete `<prefix><namespace>:*` (or all of `<prefix>*`) with SCAN + UNLINK in batches; returns the count.
    (The flush of chatbot/cache/aside.py: never KEYS.)"""
    pattern = prefix + (f"{namespace}:*" if namespace else "*")
    deleted = 0
    batch = []
    for name in r.scan_iter(match=pattern, count=1000):
        batch.append(name)
        if len(batch) >= 500:
            deleted += _unlink(r, batch)
            batch = []
    return deleted + _unlink(r, batch)


def _unlink(r, names):
    """UNLINK a batch in one pipeline."""
    if not names:
        return 0
    pipe = r.pipeline(transaction=False)
    pipe.unlink(*names)
    return sum(pipe.execute())
