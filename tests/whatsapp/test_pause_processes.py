"""Pause across processes (PostgreSQL): a dispatcher (this process) sends through the slow local Cloud API while
the app in another process (gunicorn) answers the pause; once the pause has answered, the Cloud API receives
nothing more, and resume sends the rest. Three rounds, the pause landing later in the run each time."""
import threading
import time

import pytest
import requests
from sqlalchemy import func, select

from chatbot.extensions import db
from chatbot.messaging import dispatch
from chatbot.models import Message
from chatbot.services import campaigns
from fakes.cloud_api import CloudApi
from fakes.servers import AppServer
from tests import factories
from tests.whatsapp.conftest import bulk_contacts
from tests.polling import wait_for

pytestmark = pytest.mark.postgresql_only
COUNT = 60
ROUNDS = 3


@pytest.fixture
def app_process(app, database_url, redis_url):
    """The app in its own process (gunicorn), on the test databases."""
    with AppServer({"DATABASE_URL": database_url, "REDIS_URL": redis_url}) as server:
        yield server


@pytest.fixture
def dispatching(app):
    """Five sends in flight, no pacing: a batch stays in flight for a while, and the dispatcher has already
    claimed the next one (it pipelines) when the pause arrives."""
    app.config.update(DISPATCH_BATCH_SIZE=5, DISPATCH_CONCURRENCY=5, DISPATCH_RATE_PER_SECOND=0,
                      WHATSAPP_TIMEOUT_SECONDS=10)
    return app


def pending(campaign_id):
    """How many of the campaign's messages are still queued."""
    count = db.session.scalar(select(func.count()).select_from(Message)
                              .where(Message.campaign_id == campaign_id, Message.status == "pending"))
    db.session.rollback()
    return count


def dispatch_in_background(app, results):
    """`dispatch.run_once()` on a thread of its own (own session); its totals go to `results`."""
    def run():
        with app.app_context():
            results.append(dispatch.run_once())
            db.session.remove()
    thread = threading.Thread(target=run)
    thread.start()
    return thread


@pytest.fixture
def slow_cloud(dispatching):
    """The local Cloud API answering each send after 150 ms (one for every round: its wamids are unique)."""
    cloud = CloudApi(latency=0.15).start()
    dispatching.config.update(cloud.config())
    yield cloud
    cloud.stop()


def one_round(app, server, cloud, sent_before_pause):
    """Launch, dispatch, pause once `sent_before_pause` sends arrived; check nothing came after; resume."""
    before = len(cloud.requests)
    category = factories.category()
    contacts = bulk_contacts(COUNT, category["id"])
    campaign_id = factories.campaign([category["id"]])["id"]
    campaigns.launch_campaign(campaign_id)
    db.session.remove()
    results = []
    dispatcher = dispatch_in_background(app, results)
    wait_for(lambda: len(cloud.requests) - before >= sent_before_pause, 30, "the dispatcher to be sending")
    response = requests.post(f"{server.url}/api/campaigns/{campaign_id}/pause", timeout=30)
    answered = time.monotonic()
    assert response.status_code == 200 and response.json()["status"] == "paused", response.text
    dispatcher.join(timeout=30)
    assert not dispatcher.is_alive(), "the dispatcher did not stop"

    late = [r for r in cloud.requests if r["at"] >= answered]
    assert late == [], f"{len(late)} sends after the pause answered"
    sent = len(cloud.requests) - before
    assert 0 < sent < COUNT and pending(campaign_id) == COUNT - sent and results == [{"sent": sent, "failed": 0}]

    resumed = requests.post(f"{server.url}/api/campaigns/{campaign_id}/resume", timeout=10)
    assert resumed.status_code == 200 and resumed.json()["status"] == "running"
    assert dispatch.run_once() == {"sent": COUNT - sent, "failed": 0}
    assert sorted(cloud.sent_to()[before:]) == sorted(c["phone"] for c in contacts)  # each exactly once
    assert pending(campaign_id) == 0


def test_nothing_is_sent_after_the_pause_answers_and_resume_sends_the_rest(dispatching, app_process, slow_cloud):
    for number in range(ROUNDS):
        one_round(dispatching, app_process, slow_cloud, sent_before_pause=6 + number * 7)
