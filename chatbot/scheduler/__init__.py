"""In-process APScheduler (hourly sweep, dispatch), one runner per job across dynos via a Redis lock.

Started by `create_app` in serving processes only (gunicorn workers, `flask run`'s serving child),
when SCHEDULER_ENABLED is on; never by other CLI commands (`flask db upgrade` in the release phase,
`flask sweep`, ...), never in the reloader's watcher process, never twice in one process (a second
`create_app` reuses the running scheduler), and stopped at interpreter exit (atexit).
"""
import atexit
import datetime as dt
import logging
import os
import threading

import click
from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.background import BackgroundScheduler
from flask.helpers import get_debug_flag

from chatbot.scheduler import jobs

log = logging.getLogger(__name__)

_guard = threading.Lock()
# The process's scheduler and the pid that started it (a forked child must start its own).
_running = {"scheduler": None, "pid": None, "atexit": False}


def skip_reason(app):
    """Why this process must not run the scheduler, or None when it should."""
    if not app.config["SCHEDULER_ENABLED"]:
        return "SCHEDULER_ENABLED is off"
    # The flask CLI loads the app inside a click context; gunicorn and plain imports have none.
    ctx = click.get_current_context(silent=True)
    if ctx is None:
        return None
    if ctx.command.name != "run":
        return f"CLI command ({ctx.command_path})"
    reload = ctx.params.get("reload")
    if reload is None:
        reload = get_debug_flag()
    # With the reloader, `flask run` is two processes: the watcher (WERKZEUG_RUN_MAIN unset) and the
    # serving child it restarts on changes (WERKZEUG_RUN_MAIN=true). Only the child serves.
    if reload and os.environ.get("WERKZEUG_RUN_MAIN") != "true":
        return "flask run reloader's watcher process"
    return None


def running_scheduler():
    """This process's running scheduler, or None."""
    scheduler = _running["scheduler"]
    if scheduler is None or _running["pid"] != os.getpid() or not scheduler.running:
        return None
    return scheduler


def build(app):
    """A BackgroundScheduler with our jobs, bound to `app` (jobs run in its app context)."""
    scheduler = BackgroundScheduler(
        timezone=dt.timezone.utc,
        executors={"default": ThreadPoolExecutor(max_workers=2)},
        job_defaults={"coalesce": True, "max_instances": 1},
    )
    for definition in jobs.definitions(app.config):
        scheduler.add_job(args=(app,), replace_existing=True, **definition)
    return scheduler


def start(app):
    """Start the process's scheduler once; later calls (a second create_app) get the running one."""
    with _guard:
        scheduler = running_scheduler()
        if scheduler is not None:
            log.info("scheduler already running in this process (pid %s): not starting another", os.getpid())
            return scheduler
        scheduler = build(app)
        scheduler.start()
        _running.update(scheduler=scheduler, pid=os.getpid())
        if not _running["atexit"]:
            atexit.register(shutdown)
            _running["atexit"] = True
    log.info("scheduler started (pid %s): %s", os.getpid(), ", ".join(job.id for job in scheduler.get_jobs()))
    return scheduler


def shutdown(wait=True):
    """Stop this process's scheduler (atexit does it); `wait` lets a running job finish its batch."""
    with _guard:
        scheduler = running_scheduler()
        _running.update(scheduler=None, pid=None)
    if scheduler is not None:
        scheduler.shutdown(wait=wait)
        log.info("scheduler stopped (pid %s)", os.getpid())


def init_app(app):
    """Start the scheduler when this process serves requests and SCHEDULER_ENABLED (see skip_reason)."""
    reason = skip_reason(app)
    if reason:
        log.debug("scheduler not started: %s", reason)
        app.extensions["scheduler"] = None
        return
    app.extensions["scheduler"] = start(app)
