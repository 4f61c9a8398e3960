"""The jobs: each runs in an app context under its Redis lock; one process sweeps each hour."""
import sys
import threading
import types

import pytest
from flask import current_app

import chatbot.messaging
from chatbot import create_app
from chatbot.scheduler import jobs
from fakes.servers import RedisServer
from tests.sweep import data


def in_thread(fn, *args):
    """Run `fn` in a fresh thread, as APScheduler's executor does (no app context there)."""
    result = {}
    thread = threading.Thread(target=lambda: result.update(value=fn(*args)))
    thread.start()
    thread.join(timeout=30)
    return result["value"]


@pytest.fixture
def overdue(app, clock):
    """One campaign first message sent 25 h ago: (campaign id, contact id)."""
    campaign_id, (contact_id,) = data.launched(contacts=1)
    data.send(campaign_id, clock.now())
    clock.advance(hours=25)
    return campaign_id, contact_id


def test_the_sweep_job_sweeps_in_the_apps_context_and_releases_its_lock(app, overdue, redis_client):
    campaign_id, contact_id = overdue
    assert in_thread(jobs.sweep_job, app) == {"marked": 1, "completed": 1, "duration_ms": 0.0}
    assert data.statuses(campaign_id) == {contact_id: "no_interaction"}
    assert redis_client.exists("lock:sweep") == 0


def test_only_the_first_process_to_claim_the_hour_sweeps(app, overdue, clock, redis_client):
    assert in_thread(jobs.sweep_job, app)["marked"] == 1
    assert in_thread(jobs.sweep_job, app) is None  # another worker whose cron fired a moment later
    assert 0 < redis_client.ttl(f"lock:sweep:hour:{clock.now():%Y-%m-%dT%H}") <= 2 * 3600
    clock.advance(hours=1)
    assert in_thread(jobs.sweep_job, app) == {"marked": 0, "completed": 0, "duration_ms": 0.0}


def test_the_sweep_job_skips_while_another_process_holds_the_lock(app, overdue, redis_client):
    campaign_id, contact_id = overdue
    redis_client.set("lock:sweep", "another dyno", px=60_000)
    assert in_thread(jobs.sweep_job, app) is None
    assert data.statuses(campaign_id) == {contact_id: "sent"}
    assert redis_client.get("lock:sweep") == b"another dyno"


def test_without_redis_the_sweep_runs_unlocked(app_config, clock):
    app_config["REDIS_URL"] = "redis://127.0.0.1:1/0"
    app = create_app(app_config)
    with app.app_context():
        campaign_id, (contact_id,) = data.launched(contacts=1)
        data.send(campaign_id, clock.now())
    clock.advance(hours=24)
    assert in_thread(jobs.sweep_job, app)["marked"] == 1


def test_a_failing_sweep_is_logged_and_releases_its_lock(app, overdue, redis_client, caplog):
    app.config["NO_INTERACTION_AFTER_HOURS"] = None
    assert in_thread(jobs.sweep_job, app) is None
    assert "scheduled sweep failed" in caplog.text
    assert redis_client.exists("lock:sweep") == 0


@pytest.fixture
def dispatch_module(monkeypatch):
    """Stands in for chatbot.messaging.dispatch: records each run_once call."""
    calls = []
    module = types.ModuleType("chatbot.messaging.dispatch")

    def run_once():
        held = current_app.extensions["redis_store"].call(lambda r: r.get(jobs.DISPATCH_LOCK))
        calls.append({"app": current_app._get_current_object(), "lock": held})
        return {"sent": 0, "failed": 0}
    module.run_once = run_once
    module.has_due = lambda: True
    monkeypatch.setitem(sys.modules, "chatbot.messaging.dispatch", module)
    monkeypatch.setattr(chatbot.messaging, "dispatch", module, raising=False)
    return calls


def test_the_dispatch_job_calls_run_once_under_the_dispatch_lock(app, dispatch_module, redis_client):
    assert in_thread(jobs.dispatch_job, app) == {"sent": 0, "failed": 0}
    assert dispatch_module[0]["app"] is app and dispatch_module[0]["lock"] is not None
    assert redis_client.exists(jobs.DISPATCH_LOCK) == 0


def test_the_dispatch_job_skips_while_another_process_dispatches(app, dispatch_module, redis_client):
    redis_client.set(jobs.DISPATCH_LOCK, "another dyno", px=60_000)
    assert in_thread(jobs.dispatch_job, app) is None
    assert dispatch_module == []


def test_a_second_dispatch_slot_lets_a_second_process_send_at_once(app, dispatch_module, redis_client):
    # DISPATCH_PROCESSES=2 (two dynos at 500/s each): the first slot is held by another dyno, this one takes the
    # second; with both held, a third process sends nothing.
    app.config["DISPATCH_PROCESSES"] = 2
    redis_client.set(jobs.DISPATCH_LOCK, "another dyno", px=60_000)
    seen = []
    dispatch_module_run = sys.modules["chatbot.messaging.dispatch"].run_once
    sys.modules["chatbot.messaging.dispatch"].run_once = lambda: seen.append(
        redis_client.get(f"{jobs.DISPATCH_LOCK}:2")) or dispatch_module_run()

    assert in_thread(jobs.dispatch_job, app) == {"sent": 0, "failed": 0}
    assert seen[0] is not None and redis_client.exists(f"{jobs.DISPATCH_LOCK}:2") == 0
    redis_client.set(f"{jobs.DISPATCH_LOCK}:2", "a second dyno", px=60_000)
    assert in_thread(jobs.dispatch_job, app) is None
    assert len(dispatch_module) == 1


def test_a_failing_dispatch_is_logged_not_raised(app, monkeypatch, caplog, redis_client):
    monkeypatch.setitem(sys.modules, "chatbot.messaging.dispatch", None)  # import fails
    monkeypatch.delattr(chatbot.messaging, "dispatch", raising=False)
    assert in_thread(jobs.dispatch_job, app) is None
    assert "scheduled dispatch failed" in caplog.text
    assert redis_client.exists(jobs.DISPATCH_LOCK) == 0


@pytest.fixture
def private_redis_app(app_config, tmp_path):
    """An app on a throwaway redis-server, so its commands can be counted exactly."""
    with RedisServer(tmp_path / "redis") as server:
        yield create_app({**app_config, "REDIS_URL": server.url}), server


def test_an_idle_dispatch_tick_sends_redis_nothing(private_redis_app):
    """No message due: the job returns before taking lock:dispatch (Upstash bills every command)."""
    private_app, server = private_redis_app
    server.reset_stats()
    assert in_thread(jobs.dispatch_job, private_app) is None
    assert server.command_stats() == {}


def test_a_due_message_is_dispatched_under_the_lock(private_redis_app):
    """With a message due, the real dispatcher runs (dry-run) under the lock, then frees it."""
    private_app, server = private_redis_app
    with private_app.app_context():
        data.launched(contacts=1)
    server.reset_stats()
    assert in_thread(jobs.dispatch_job, private_app) == {"sent": 1, "failed": 0}
    assert server.command_stats().get("set", 0) >= 1  # SET NX of lock:dispatch
    assert server.probe.exists(jobs.DISPATCH_LOCK) == 0
