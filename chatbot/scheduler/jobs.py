"""The scheduler's jobs as data (stable ids), and what each runs: in an app context, under a Redis lock.

Every web process (each gunicorn worker of each dyno) schedules both jobs; the locks pick one runner:
- sweep: a cron at minute 0 (UTC), so all processes fire together. The first to claim the hour's
  marker `lock:sweep:hour:<YYYY-MM-DDTHH>` sweeps, under `lock:sweep` (shared with `flask sweep`).
- dispatch: every DISPATCH_INTERVAL_SECONDS, under `lock:dispatch`, so one process sends at a time
  and the Cloud API rate (per phone number, not per dyno) holds across dynos.
Redis away: both run without their lock. The sweep is idempotent (a message is marked once, counters
are recomputed, not incremented) and the dispatcher claims rows with SKIP LOCKED, so that is safe;
the only cost is that several processes may do the work at once.
"""
import logging

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

DISPATCH_LOCK = "lock:dispatch"
# Renewed while run_once sends (a backlog at 80 messages/s can take minutes); a dead holder frees it
# within a minute. Lost anyway: SKIP LOCKED claims still keep two dispatchers off one message.
DISPATCH_LOCK_TTL_SECONDS = 60


def definitions(config):
    """The jobs for APScheduler's add_job (without args): stable ids, triggers, misfire grace."""
    interval = max(int(config["DISPATCH_INTERVAL_SECONDS"]), 1)
    return [
        {"id": "chatbot.sweep", "name": "no-interaction sweep", "func": sweep_job,
         "trigger": CronTrigger(minute=0, timezone="UTC"),
         "misfire_grace_time": SWEEP_MISFIRE_GRACE_SECONDS},
        {"id": "chatbot.dispatch", "name": "message dispatch", "func": dispatch_job,
         "trigger": IntervalTrigger(seconds=interval, timezone="UTC"),
         # A dispatch run missed by more than one interval is replaced by the next one.
         "misfire_grace_time": interval},
    ]


def locked_sweep(force=False):
    """Run the sweep under `lock:sweep`: its summary, or None when another process holds the lock.

    `force` runs it even then. Redis away: runs without the lock (the sweep is idempotent).
    """
    from chatbot.services import sweep
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
            hour = utcnow().strftime("%Y-%m-%dT%H")
            if claim(f"{SWEEP_LOCK}:hour:{hour}", SWEEP_HOUR_TTL_SECONDS) == BUSY:
                log.info("sweep of %s already claimed by another process", hour)
                return None
            return locked_sweep()
        except Exception:
            # Logged here with the app's format; the scheduler keeps the job for the next hour.
            log.exception("scheduled sweep failed")
            return None


def dispatch_job(app):
    """Every few seconds: send queued messages (chatbot.services.dispatch.run_once) under `lock:dispatch`."""
    with app.app_context():
        try:
            with hold(DISPATCH_LOCK, DISPATCH_LOCK_TTL_SECONDS, renew=True) as lock:
                if lock.state == BUSY:
                    return None
                # Imported here: the scheduler must load even where dispatch is not there yet.
                from chatbot.services import dispatch
                return dispatch.run_once()
        except Exception:
            log.exception("scheduled dispatch failed")
            return None
