"""When the scheduler starts: web processes only, once per process, never for CLI commands or the reloader."""
import datetime as dt
import os
import subprocess
import sys
import threading
import time

import click
import pytest
from click.testing import CliRunner
from flask.cli import FlaskGroup, run_command

from chatbot import create_app, scheduler
from tests.sweep import data

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


@pytest.fixture
def web_config(app_config):
    """The test config with the scheduler asked for (dispatch far apart, so it stays idle)."""
    app_config.update(SCHEDULER_ENABLED=True, DISPATCH_INTERVAL_SECONDS=3600)
    yield app_config
    scheduler.shutdown(wait=True)


def scheduler_threads():
    """APScheduler's main-loop threads alive in this process."""
    return [t for t in threading.enumerate() if t.name == "APScheduler" and t.is_alive()]


def test_the_web_app_starts_one_scheduler_with_both_jobs(web_config):
    app = create_app(web_config)
    running = app.extensions["scheduler"]
    assert running is scheduler.running_scheduler() and running.running
    jobs = {job.id: job for job in running.get_jobs()}
    assert set(jobs) == {"chatbot.sweep", "chatbot.dispatch", "chatbot.counts", "chatbot.webhooks"}
    assert all(job.coalesce and job.max_instances == 1 for job in jobs.values())
    assert (jobs["chatbot.sweep"].misfire_grace_time, jobs["chatbot.dispatch"].misfire_grace_time) == (900, 3600)
    next_sweep = jobs["chatbot.sweep"].next_run_time
    assert (next_sweep.minute, next_sweep.second, next_sweep.utcoffset()) == (0, 0, dt.timedelta(0))
    assert jobs["chatbot.dispatch"].trigger.interval == dt.timedelta(seconds=3600)
    assert len(scheduler_threads()) == 1


def test_a_second_create_app_in_the_same_process_reuses_the_scheduler(web_config):
    first = create_app(web_config)
    second = create_app(web_config)
    assert second.extensions["scheduler"] is first.extensions["scheduler"]
    assert len(scheduler_threads()) == 1


def test_tests_get_no_scheduler_unless_they_ask(app):
    assert app.extensions["scheduler"] is None
    assert scheduler.running_scheduler() is None and scheduler_threads() == []


def test_after_shutdown_a_new_app_starts_a_fresh_one(web_config):
    first = create_app(web_config).extensions["scheduler"]
    scheduler.shutdown()
    assert not first.running and scheduler_threads() == []
    second = create_app(web_config).extensions["scheduler"]
    assert second is not first and second.running


@pytest.mark.parametrize("args", [["sweep"], ["routes"]])
def test_a_flask_cli_command_starts_no_scheduler(web_config, monkeypatch, args):
    monkeypatch.setenv("FLASK_RUN_FROM_CLI", "")  # FlaskGroup sets it; monkeypatch puts it back
    built = []

    def factory():
        built.append(create_app(web_config))
        return built[-1]
    result = CliRunner().invoke(FlaskGroup(create_app=factory), args, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert built and built[0].extensions["scheduler"] is None
    assert scheduler.running_scheduler() is None and scheduler_threads() == []


@pytest.mark.parametrize("reload, run_main, starts", [
    (True, None, False),    # the reloader's watcher process
    (True, "true", True),   # the serving child it spawns
    (False, None, True),    # flask run --no-reload: one process, it serves
], ids=["watcher", "reloader-child", "no-reload"])
def test_flask_run_starts_the_scheduler_only_in_the_serving_process(web_config, monkeypatch, reload, run_main, starts):
    if run_main:
        monkeypatch.setenv("WERKZEUG_RUN_MAIN", run_main)
    else:
        monkeypatch.delenv("WERKZEUG_RUN_MAIN", raising=False)
    # How `flask run` loads the app: inside the run command's click context.
    with click.Context(run_command, info_name="run") as ctx:
        ctx.params["reload"] = reload
        app = create_app(web_config)
    assert (app.extensions["scheduler"] is not None) is starts
    assert len(scheduler_threads()) == int(starts)


def test_scheduled_jobs_run_in_the_apps_context(web_config, clock, redis_client):
    app = create_app(web_config)
    with app.app_context():
        campaign_id, (contact_id,) = data.launched(contacts=1)
        data.send(campaign_id, clock.now())
    clock.advance(hours=25)
    app.extensions["scheduler"].modify_job("chatbot.sweep", next_run_time=dt.datetime.now(dt.timezone.utc))
    hour_marker = f"lock:sweep:hour:{clock.now():%Y-%m-%dT%H}"
    deadline = time.monotonic() + 10
    while not redis_client.exists(hour_marker) and time.monotonic() < deadline:
        time.sleep(0.05)
    scheduler.shutdown(wait=True)  # lets the job finish
    with app.app_context():
        assert data.statuses(campaign_id) == {contact_id: "no_interaction"}
    assert redis_client.exists("lock:sweep") == 0


def flask_env(tmp_path, redis_url):
    """Environment of a real `flask --app wsgi` process with the scheduler enabled."""
    return {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'cli.sqlite3'}", "REDIS_URL": redis_url,
            "SCHEDULER_ENABLED": "true", "LOG_FORMAT": "text", "LOG_LEVEL": "DEBUG"}


def test_the_release_phase_migration_starts_no_scheduler(tmp_path, redis_url):
    done = subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", "db", "upgrade"], cwd=ROOT,
                          env=flask_env(tmp_path, redis_url), capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "scheduler not started: CLI command (" in done.stderr
    assert "scheduler started" not in done.stderr


def test_a_web_process_stops_its_scheduler_at_exit(tmp_path, redis_url):
    code = ("import wsgi, chatbot.scheduler as s; "
            "print('running' if s.running_scheduler() is wsgi.app.extensions['scheduler'] else 'absent')")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=flask_env(tmp_path, redis_url),
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "running"
    assert "scheduler started" in done.stderr and "scheduler stopped" in done.stderr
