"""Crash safety (issue 17, point 5), on PostgreSQL with real processes killed by SIGKILL.

A dispatcher killed in the middle of a batch: no message is sent twice; the ones whose attempt began without an
outcome are listed by `flask dispatch audit` ("may have been sent") and settled by an operator. A web process
killed in the middle of a webhook burst: every webhook that got a 200 is in the database, applied or stored in the
intake and applied by a later drain (its group had committed: chatbot/messaging/batcher.py answers no request
before)."""
import datetime as dt
import os
import signal
import subprocess
import sys
import tempfile
import threading
from collections import Counter

import pytest
import requests
from sqlalchemy import func, select

from chatbot.extensions import db
from chatbot.messaging import audit, dispatch, intake
from chatbot.models import Message
from fakes import meta
from fakes.cloud_api import CloudApi
from fakes.servers import AppServer
from tests.polling import wait_for

pytestmark = pytest.mark.postgresql_only
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def count(*where):
    """Messages matching `where` (a fresh read)."""
    found = db.session.scalar(select(func.count()).select_from(Message).where(*where))
    db.session.rollback()
    return found


@pytest.fixture
def stalling_cloud():
    """The local Cloud API: answers 6 sends, then holds every later one until the test has killed the sender."""
    cloud = CloudApi().start()
    cloud.stall(6)
    yield cloud
    cloud.stop()


def start_dispatcher(env):
    """`flask --app wsgi dispatch` in its own process group (SIGKILL takes it all down)."""
    log = tempfile.TemporaryFile()
    process = subprocess.Popen([sys.executable, "-m", "flask", "--app", "wsgi", "dispatch"], cwd=ROOT, env=env,
                               stdout=log, stderr=log, start_new_session=True)
    return process, log


def test_a_dispatcher_killed_mid_batch_sends_nothing_twice_and_the_audit_lists_the_doubtful(
        app, launch, runner, stalling_cloud, database_url, redis_url, clock):
    launched = launch(count=30, send=False)
    env = {**os.environ, **stalling_cloud.config(), "DATABASE_URL": database_url, "REDIS_URL": redis_url,
           "SCHEDULER_ENABLED": "false", "LOG_LEVEL": "WARNING", "DISPATCH_RATE_PER_SECOND": "0",
           "DISPATCH_CONCURRENCY": "4", "DISPATCH_BATCH_SIZE": "10", "DISPATCH_LEASE_SECONDS": "60",
           "WHATSAPP_TIMEOUT_SECONDS": "30"}
    process, log = start_dispatcher(env)
    try:
        # 6 answered and recorded, 4 POSTed and waiting for Meta's answer, the next batch claimed behind them.
        wait_for(lambda: len(stalling_cloud.requests) == 10 and count(Message.status == "sent") == 6
                 and count(Message.send_started_at.is_not(None), Message.status == "pending") == 14, 30,
                 "the dispatcher to stall mid-batch")
    finally:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        log.seek(0)
        output = log.read().decode(errors="replace")
        log.close()
    stalling_cloud.unstall()
    app.config.update(stalling_cloud.config())

    clock.set(dt.datetime.now(dt.timezone.utc) + dt.timedelta(seconds=61))  # the dead dispatcher's leases expired
    assert dispatch.run_once() == {"sent": 10, "failed": 0}, output  # the never-claimed rest only

    posted = Counter(stalling_cloud.sent_to())
    assert max(posted.values()) == 1  # nothing sent twice
    doubtful = audit.in_doubt()
    assert len(doubtful) == 14
    phones = {c["id"]: c["phone"] for c in launched.contacts}
    reached_unrecorded = {m.id for m in doubtful if posted[phones[m.contact_id]]}
    assert len(reached_unrecorded) == 4  # the 4 Meta received: listed, not re-sent
    listed = runner.invoke(args=["dispatch", "audit"]).output
    assert "14 message(s) in doubt" in listed and listed.count("may have been sent") == 14
    assert all(f"message {m.id} " in listed and f"campaign {launched.campaign_id} " in listed for m in doubtful)

    # The operator settles them: the 4 Meta received are counted sent, the 10 never POSTed go again.
    never_posted = [m.id for m in doubtful if m.id not in reached_unrecorded]
    marked = runner.invoke(args=["dispatch", "audit", "--mark-sent", *map(str, reached_unrecorded)]).output
    assert "marked sent: 4" in marked
    assert "queued again: 10" in runner.invoke(args=["dispatch", "audit", "--resend", *map(str, never_posted)]).output
    assert dispatch.run_once() == {"sent": 10, "failed": 0}
    assert max(Counter(stalling_cloud.sent_to()).values()) == 1 and len(stalling_cloud.sent_to()) == 30
    assert count(Message.status == "sent") == 30 and launched.campaign().sent_count == 30
    assert audit.in_doubt() == []


def post_statuses(url, wamids, answered, stop):
    """POST one `delivered` webhook per wamid; keep the wamids answered 200 (until the server dies)."""
    session = requests.Session()
    for wamid in wamids:
        if stop.is_set():
            return
        payload = meta.notification(statuses=[meta.status(wamid, "delivered", dt.datetime.now(dt.timezone.utc))])
        try:
            response = session.post(url + "/api/webhooks/whatsapp", json=payload, timeout=10)
        except requests.RequestException:
            return  # the server was killed: this one was never acknowledged
        if response.status_code == 200:
            answered.append(wamid)


@pytest.mark.parametrize("defer_at", ["0", "4"], ids=["applied", "stored"])
def test_a_web_process_killed_mid_burst_keeps_every_webhook_it_acknowledged(app, launch, database_url, redis_url,
                                                                            defer_at):
    launched = launch(count=400)  # dry-run: each first message sent with a wamid
    wamids = db.session.scalars(select(Message.wamid).where(Message.campaign_id == launched.campaign_id)).all()
    db.session.rollback()
    # The Procfile's shape (2 gevent workers, each on its own port socket) with group commit: 16 senders at once
    # and a 20 ms window, so the kill lands among groups in flight, gathered or committing. "stored": groups of 4
    # or more are a burst, stored in the intake and acknowledged before they are applied.
    env = {"DATABASE_URL": database_url, "REDIS_URL": redis_url, "GUNICORN_REUSE_PORT": "true",
           "WEBHOOK_BATCH_WINDOW_MS": "20", "WEBHOOK_DEFER_AT": defer_at}
    server = AppServer(env, workers=2).start().wait_ready()
    answered, stop = [], threading.Event()
    senders = [threading.Thread(target=post_statuses, args=(server.url, wamids[i::16], answered, stop))
               for i in range(16)]
    try:
        for sender in senders:
            sender.start()
        wait_for(lambda: len(answered) >= 100, 60, "a hundred webhooks acknowledged")
    finally:
        server.kill()  # SIGKILL, mid-burst
        stop.set()
    for sender in senders:
        sender.join(timeout=15)

    assert 100 <= len(answered) < len(wamids)
    # What the dead process stored and never applied, the scheduler's drain applies (any process, any time later).
    waiting, aside = intake.backlog()
    assert aside == 0 and (waiting > 0 or defer_at == "0")
    intake.drain_all(app.config["WEBHOOK_DRAIN_MAX"])
    assert intake.backlog() == (0, 0)
    db.session.rollback()
    delivered = set(db.session.scalars(select(Message.wamid).where(Message.status == "delivered")))
    assert set(answered) <= delivered  # acknowledged means durable
