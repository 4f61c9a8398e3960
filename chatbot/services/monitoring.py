"""Daily counters in Redis (`monitoring:daily:<YYYY-MM-DD>`, one hash per day, kept 90 days)."""
import datetime as dt
import logging

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
