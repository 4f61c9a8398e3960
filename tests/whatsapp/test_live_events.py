"""A dispatch batch and a webhook full of statuses each reach the dashboards as one event set."""
import json
import time

import pytest
import redis as redis_lib
from sqlalchemy import update

from chatbot.extensions import db
from chatbot.messaging import dispatch
from chatbot.models import Message
from fakes import meta
from tests.conftest import LIVE_CHANNEL


@pytest.fixture
def channel(redis_url):
    """published() -> the event sets published on events:dashboard since the last call."""
    client = redis_lib.Redis.from_url(redis_url)
    pubsub = client.pubsub(ignore_subscribe_messages=True)
    pubsub.subscribe(LIVE_CHANNEL)
    pubsub.get_message(timeout=1)

    def published(settle=0.3):
        seen, deadline = [], time.monotonic() + settle
        while time.monotonic() < deadline:
            message = pubsub.get_message(timeout=0.05)
            if message:
                seen.append(json.loads(message["data"]))
        return seen
    yield published
    pubsub.close()
    client.close()


def test_a_dispatch_of_ten_messages_is_one_event_set(launch, channel):
    launched = launch(count=10, send=False)
    channel()
    assert dispatch.run_once()["sent"] == 10
    # With the daily counters it moved (the dashboard's chart refreshes too).
    assert channel() == [{"message.sent": {"campaign_ids": [launched.campaign_id]}, "monitoring.counted": {}}]


def test_a_webhook_of_ten_statuses_is_one_event_set(client, launch, channel, clock):
    launched = launch(count=10)
    wamids = [f"wamid.live.{i}" for i in range(10)]
    for index, wamid in enumerate(wamids):
        db.session.execute(update(Message).where(Message.id == launched.first(index).id).values(wamid=wamid))
    db.session.commit()
    channel()
    statuses = [meta.status(wamid, "delivered", clock.now()) for wamid in wamids]
    assert meta.post(client, meta.notification(statuses=statuses)).status_code == 200
    assert channel() == [{"message.status": {"campaign_ids": [launched.campaign_id]}, "monitoring.counted": {}}]
