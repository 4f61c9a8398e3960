"""Daily counters in Redis (`monitoring:daily:<YYYY-MM-DD>`, one hash per day, kept 90 days).

Writes declare what they counted as `monitoring.counted {counts}` events; `record_counted`, an
after-commit effect of the unit of work, adds the counts of all of a write's (or a batch's) events in
one pipeline. Counts are added after the commit only: a rolled-back write counted nothing.
"""
import datetime as dt
import logging
from collections import Counter, defaultdict

from chatbot.clock import utcnow
from chatbot.extensions import redis_store
from chatbot.redis_store import RedisUnavailable

log = logging.getLogger(__name__)

FIELDS = ("sent", "delivered", "read", "failed", "interactions", "no_interaction")
RETENTION_SECONDS = 90 * 86400 + 86400  # 90 full days, plus the day being written


def day_key(day):
    """The hash of one UTC day."""
    return f"monitoring:daily:{day.isoformat()}"


def record(counts, when=None):
    """Add {day: {field: n}} or {field: n} (today) in one pipeline; Redis down: skipped with a warning."""
    if not counts:
        return
    if all(isinstance(v, int) for v in counts.values()):
        counts = {(when or utcnow()).date(): counts}
    counts = {day: {f: n for f, n in fields.items() if n} for day, fields in counts.items()}
    counts = {day: fields for day, fields in counts.items() if fields}
    if not counts:
        return

    def write(r):
        pipe = r.pipeline(transaction=False)
        for day, fields in counts.items():
            for field, n in fields.items():
                pipe.hincrby(day_key(day), field, n)
            pipe.expire(day_key(day), RETENTION_SECONDS)
        pipe.execute()

    try:
        redis_store.call(write)
    except RedisUnavailable:
        log.warning("monitoring counters skipped: redis unavailable", extra={"counts": str(counts)})


def _by_day(counts, today):
    """{day: {field: n}} from {field: n} (today) or {day: {field: n}}."""
    if all(isinstance(v, int) for v in counts.values()):
        return {today: counts}
    return counts


def record_counted(events):
    """The after-commit effect: the counts of these committed `monitoring.counted` events, in one pipeline."""
    today = utcnow().date()
    totals = defaultdict(Counter)
    for event in events:
        if event.name == "monitoring.counted":
            for day, fields in _by_day(event.params["counts"], today).items():
                totals[day].update(fields)
    if totals:
        record({day: dict(fields) for day, fields in totals.items()})


def daily(days=7):
    """The last `days` UTC days, oldest first, read live in one pipeline (zeros when Redis is away)."""
    today = utcnow().date()
    dates = [today - dt.timedelta(days=offset) for offset in range(days - 1, -1, -1)]

    def read(r):
        pipe = r.pipeline(transaction=False)
        for day in dates:
            pipe.hgetall(day_key(day))
        return pipe.execute()

    try:
        hashes = redis_store.call(read)
    except RedisUnavailable:
        hashes = [{} for _ in dates]
    items = []
    for day, values in zip(dates, hashes):
        values = {k.decode(): int(v) for k, v in values.items()}
        items.append({"date": day.isoformat(), **{f: values.get(f, 0) for f in FIELDS}})
    return {"items": items}
