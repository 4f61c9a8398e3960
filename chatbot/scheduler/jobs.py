"""The scheduler's jobs as data (stable ids), and what each runs: in an app context, under a Redis lock.

Every web process (each gunicorn worker of each dyno) schedules both jobs; the locks pick one runner:
- sweep: a cron at minute 0 (UTC), so all processes fire together. The first to claim the hour's
  marker `lock:sweep:hour:<YYYY-MM-DDTHH>` sweeps, under `lock:sweep` (shared with `flask sweep`).
  SWEEP_INTERVAL_SECONDS other than 3600 (a rehearsal) fires every that many seconds since the epoch,
  again together everywhere, with the marker `lock:sweep:slot:<interval>:<epoch second of the slot>`.
- dispatch: every DISPATCH_INTERVAL_SECONDS, under one of DISPATCH_PROCESSES locks (`lock:dispatch`, then
  `lock:dispatch:2`, ...), so at most that many processes send at once, each at DISPATCH_RATE_PER_SECOND: the
  Cloud API rate (per phone number, not per dyno) holds across dynos at their product (1 by default: one at a
  time; 2 x 500/s reaches Meta's 1,000/s with two dynos sharing the CPU work).
- counts: every STATS_FOLD_SECONDS, under `lock:stats` (shared with `flask stats rebuild`), the maintained
  counts' deltas are folded into one row per key, so the stats' read stays a sum of a few rows.
- webhooks: every WEBHOOK_DRAIN_SECONDS, no lock, the webhooks stored in a burst and still waiting after
  WEBHOOK_DEFER_SECONDS (their process died before it applied them) are applied (chatbot/messaging/intake.py:
  rows claimed with SKIP LOCKED, so any number of processes may drain at once).
Redis away: both run without their lock. The sweep is idempotent (a message is marked once, counters
are recomputed, not incremented) and the dispatcher claims rows with SKIP LOCKED, so that is safe;
the only cost is that several processes may do the work at once. The fold is exact however many run at
once (each delta row is deleted, and so summed, by one of them only), and the rebuild locks the tables.
"""
import datetime as dt
import logging
import time

from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from chatbot.clock import utcnow
from chatbot.scheduler.locks import BUSY, UNAVAILABLE, claim, hold

log = logging.getLogger(__name__)

SWEEP_LOCK = "lock:sweep"
# Renewed while a sweep runs; if its holder dies, the lock frees itself within this time.
SWEEP_LOCK_TTL_SECONDS = 5 * 60
# The hour's marker outlives the hour, so a process whose cron fires late cannot sweep it again.
SWEEP_HOUR_TTL_SECONDS = 2 * 3600
SWEEP_MISFIRE_GRACE_SECONDS = 15 * 60

DISPATCH_LOCK = "lock:dispatch"  # the first slot; slot i > 1 is f"{DISPATCH_LOCK}:{i}"
# Renewed while run_once sends (a backlog at 80 messages/s can take minutes); a dead holder frees it
# within a minute. Lost anyway: SKIP LOCKED claims still keep two dispatchers off one message.
DISPATCH_LOCK_TTL_SECONDS = 60

STATS_LOCK = "lock:stats"
STATS_LOCK_TTL_SECONDS = 60
# How long `flask stats rebuild` waits for a fold (a few ms) or another rebuild to let go of the lock.
STATS_LOCK_WAIT_SECONDS = 30


HOUR = 3600
EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)


def sweep_trigger(seconds):
    """Minute 0 of every hour; another period fires at whole multiples of it since the epoch (all processes)."""
    if seconds == HOUR:
        return CronTrigger(minute=0, timezone="UTC")
    return IntervalTrigger(seconds=seconds, start_date=EPOCH, timezone="UTC")


def sweep_marker(now, seconds):
    """(key, ttl) of the once-only marker of the period holding `now`: the hour's, or the slot's."""
    if seconds == HOUR:
        return f"{SWEEP_LOCK}:hour:{now:%Y-%m-%dT%H}", SWEEP_HOUR_TTL_SECONDS
    start = int(now.timestamp()) // seconds * seconds
    return f"{SWEEP_LOCK}:slot:{seconds}:{start}", 2 * seconds


def definitions(config):
    """The jobs for APScheduler's add_job (without args): stable ids, triggers, misfire grace."""
    interval = max(int(config["DISPATCH_INTERVAL_SECONDS"]), 1)
    sweep_every = max(int(config.get("SWEEP_INTERVAL_SECONDS", HOUR)), 1)
    fold_every = max(int(config.get("STATS_FOLD_SECONDS", 60)), 1)
    drain_every = max(int(config.get("WEBHOOK_DRAIN_SECONDS", 5)), 1)
    return [
        {"id": "chatbot.sweep", "name": "no-interaction sweep", "func": sweep_job,
         "trigger": sweep_trigger(sweep_every),
         "misfire_grace_time": min(SWEEP_MISFIRE_GRACE_SECONDS, sweep_every)},
        {"id": "chatbot.dispatch", "name": "message dispatch", "func": dispatch_job,
         "trigger": IntervalTrigger(seconds=interval, timezone="UTC"),
         # A dispatch run missed by more than one interval is replaced by the next one.
         "misfire_grace_time": interval},
        {"id": "chatbot.counts", "name": "maintained counts fold", "func": fold_job,
         "trigger": IntervalTrigger(seconds=fold_every, timezone="UTC"), "misfire_grace_time": fold_every},
        {"id": "chatbot.webhooks", "name": "stored webhooks drain", "func": drain_job,
         "trigger": IntervalTrigger(seconds=drain_every, timezone="UTC"), "misfire_grace_time": drain_every},
    ]


def locked_sweep(force=False):
    """Run the sweep under `lock:sweep`: its summary, or None when another process holds the lock.

    `force` runs it even then. Redis away: runs without the lock (the sweep is idempotent).
    """
    from chatbot.messaging import sweep
    with hold(SWEEP_LOCK, SWEEP_LOCK_TTL_SECONDS, renew=True) as lock:
        if lock.state == BUSY and not force:
            log.info("sweep skipped: %s is held by another process", SWEEP_LOCK)
            return None
        if lock.state == UNAVAILABLE:
            log.warning("redis unavailable: sweeping without %s (the sweep is idempotent)", SWEEP_LOCK)
        return sweep.run()


def sweep_job(app):
    """Hourly: the first process to claim this hour's marker sweeps (in an app context)."""
    with app.app_context():
        try:
            marker, ttl = sweep_marker(utcnow(), max(int(app.config.get("SWEEP_INTERVAL_SECONDS", HOUR)), 1))
            if claim(marker, ttl) == BUSY:
                log.info("sweep already claimed by another process (%s)", marker)
                return None
            return locked_sweep()
        except Exception:
            # Logged here with the app's format; the scheduler keeps the job for the next hour.
            log.exception("scheduled sweep failed")
            return None


def dispatch_locks(config):
    """The dispatch slots' lock names, in the order a process tries them."""
    slots = max(int(config.get("DISPATCH_PROCESSES", 1)), 1)
    return [DISPATCH_LOCK] + [f"{DISPATCH_LOCK}:{i}" for i in range(2, slots + 1)]


def dispatch_job(app):
    """Every few seconds: send queued messages (chatbot.messaging.dispatch.run_once) under the first free
    dispatch slot's lock (`lock:dispatch`, `lock:dispatch:2`, ...); all busy: nothing."""
    with app.app_context():
        try:
            from chatbot.messaging import dispatch
            # Nothing due (the usual case): no lock taken, so an idle dyno sends Redis nothing.
            if not dispatch.has_due():
                return None
            for name in dispatch_locks(app.config):
                with hold(name, DISPATCH_LOCK_TTL_SECONDS, renew=True) as lock:
                    if lock.state != BUSY:
                        return dispatch.run_once()
            return None
        except Exception:
            log.exception("scheduled dispatch failed")
            return None


def locked_counts(work, wait=False):
    """`work()` under `lock:stats`: its result, or None when another process holds the lock (after up to
    STATS_LOCK_WAIT_SECONDS with `wait`). Redis away: runs without it (both the fold and the rebuild are exact
    without it; the lock only keeps them from doing the same work twice)."""
    deadline = time.monotonic() + (STATS_LOCK_WAIT_SECONDS if wait else 0)
    while True:
        with hold(STATS_LOCK, STATS_LOCK_TTL_SECONDS, renew=True) as lock:
            if lock.state != BUSY:
                return work()
        if time.monotonic() >= deadline:
            log.info("%s is held by another process", STATS_LOCK)
            return None
        time.sleep(0.05)  # polling a lock held for milliseconds (a fold) or seconds (a rebuild), until the deadline


def fold_job(app):
    """Every STATS_FOLD_SECONDS: fold the maintained counts' deltas (chatbot.services.counts.fold)."""
    with app.app_context():
        try:
            from chatbot.services import counts
            return locked_counts(counts.fold)
        except Exception:
            log.exception("scheduled fold of the maintained counts failed")
            return None


def drain_job(app):
    """Every WEBHOOK_DRAIN_SECONDS: apply the webhooks stored in a burst that no batcher has applied."""
    with app.app_context():
        try:
            from chatbot.messaging import intake
            from chatbot.principals import on_nobodys_behalf
            on_nobodys_behalf()  # Meta's data: no audit row, as in the batcher
            # Only rows a living process would have applied by now: its burst's own rows are its to apply.
            before = utcnow() - dt.timedelta(seconds=app.config["WEBHOOK_DEFER_SECONDS"])
            return intake.drain_all(app.config["WEBHOOK_DRAIN_MAX"], before)
        except Exception:
            log.exception("scheduled drain of stored webhooks failed")
            return None
