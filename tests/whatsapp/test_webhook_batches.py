"""Webhooks committed in groups (chatbot/messaging/batcher.py, ingest.py): concurrent requests share a commit,
the status rules hold within and across groups, and a notification that breaks its group fails alone."""
import json
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import event, func, select

from chatbot import unit_of_work
from chatbot.clock import utcnow
from chatbot.extensions import db
from chatbot.messaging import ingest, webhooks
from chatbot.models import AuditEntry, Message
from fakes import meta
from tests.whatsapp.conftest import interactions


def notification(statuses=(), messages=()):
    """A parsed Notification, as the request hands it to the batcher."""
    return ingest.Notification(*webhooks.parse(meta.notification(statuses, messages), utcnow()))


def commit_group(*group):
    """Apply notifications as ONE group (one unit of work, as the batcher does); their summaries."""
    summaries = unit_of_work.run(lambda uow: ingest.apply(list(group), utcnow(), uow))
    db.session.expire_all()
    return [(s["changed"], s["interactions"]) for s in summaries]


def wamid_of(launched, index=0):
    """The dry-run wamid of a contact's first message."""
    return launched.first(index).wamid


def test_a_late_delivered_in_a_later_group_leaves_read(launch):
    launched = launch(count=1)
    wamid = wamid_of(launched)
    assert commit_group(notification([meta.status(wamid, "read", utcnow())])) == [(1, 0)]
    assert commit_group(notification([meta.status(wamid, "delivered", utcnow())])) == [(0, 0)]
    assert launched.first().status == "read"
    campaign = launched.campaign()
    assert (campaign.delivered_count, campaign.read_count) == (1, 1)


def test_within_a_group_each_notification_moves_from_where_the_earlier_ones_left(launch):
    launched = launch(count=2)
    first, second = wamid_of(launched, 0), wamid_of(launched, 1)
    summaries = commit_group(notification([meta.status(first, "read", utcnow())]),
                             notification([meta.status(first, "delivered", utcnow())]),
                             notification([meta.status(second, "delivered", utcnow())]),
                             notification([meta.status(second, "read", utcnow())]))
    assert summaries == [(1, 0), (0, 0), (1, 0), (1, 0)]
    assert (launched.first(0).status, launched.first(1).status) == ("read", "read")
    campaign = launched.campaign()
    assert (campaign.delivered_count, campaign.read_count) == (2, 2)


def test_a_duplicate_in_a_later_group_counts_once(launch):
    launched = launch(count=1)
    delivered = notification([meta.status(wamid_of(launched), "delivered", utcnow())])
    assert commit_group(delivered) == [(1, 0)]
    assert commit_group(delivered, delivered) == [(0, 0), (0, 0)]
    assert launched.campaign().delivered_count == 1


def test_an_answer_in_two_groups_records_once_and_queues_one_second_message(launch):
    launched = launch(count=2)
    answer = notification(messages=[meta.text("wamid.answer.1", launched.phones[0], utcnow())])
    assert commit_group(answer, answer) == [(0, 1), (0, 0)]  # twice in one group: the first carrier counts it
    assert commit_group(answer) == [(0, 0)]  # and again in the next group
    assert len(interactions()) == 1
    assert launched.second(0) is not None and launched.second(1) is None
    assert db.session.scalar(select(func.count()).select_from(Message).where(Message.step == 2)) == 1
    assert launched.campaign().interaction_count == 1


# -- Through the batcher (PostgreSQL: SQLite applies each webhook in its request) ----------------------------------

def poison_apply(monkeypatch, poison):
    """ingest.apply raising for any group holding `poison`'s status (a bug in one shape); the wamid."""
    real_apply = ingest.apply

    def apply(group, now, uow):
        if any(e.wamid == poison for n in group for e in n.statuses):
            raise RuntimeError("poison")
        return real_apply(group, now, uow)

    monkeypatch.setattr(ingest, "apply", apply)
    return poison


def rebatch(app, **config):
    """A new batcher for `config` (the batcher reads its settings when built)."""
    app.config.update(config)
    app.extensions["webhook_batcher"] = type(app.extensions["webhook_batcher"])(app)


def post_together(app, payloads):
    """POST every payload at once from its own thread (its own test client); the responses, in order."""
    start = threading.Barrier(len(payloads))

    def post(payload):
        client = app.test_client()
        start.wait(timeout=10)
        return meta.post(client, payload)

    with ThreadPoolExecutor(len(payloads)) as pool:
        return list(pool.map(post, payloads))


@pytest.fixture
def count_commits(app):
    """A list that gets one item per COMMIT on the app's engine (any thread: the batcher's too)."""
    commits = []

    def committed(conn):
        commits.append(threading.current_thread().name)

    event.listen(db.engine, "commit", committed)
    yield commits
    event.remove(db.engine, "commit", committed)


@pytest.mark.postgresql_only
def test_concurrent_webhooks_share_a_few_commits(app, launch, count_commits):
    launched = launch(count=40)
    # Group commit alone: 40 at once would be a burst, stored and applied later (test_webhook_intake.py).
    rebatch(app, WEBHOOK_BATCH_WINDOW_MS=300.0, WEBHOOK_DEFER_AT=0)
    wamids = [wamid_of(launched, i) for i in range(40)]
    audited = db.session.scalar(select(func.count()).select_from(AuditEntry))
    count_commits.clear()

    responses = post_together(app, [meta.notification([meta.status(w, "delivered", utcnow())]) for w in wamids])

    assert [r.status_code for r in responses] == [200] * 40
    assert [r.get_json() for r in responses] == [{"statuses": 1, "messages": 0, "changed": 1, "interactions": 0}] * 40
    assert len(count_commits) <= 4, count_commits  # 40 webhooks, a handful of groups
    db.session.expire_all()
    delivered = db.session.scalar(select(func.count()).select_from(Message).where(Message.status == "delivered"))
    assert delivered == 40 and launched.campaign().delivered_count == 40
    assert db.session.scalar(select(func.count()).select_from(AuditEntry)) == audited  # Meta's data: not audited


@pytest.mark.postgresql_only
def test_a_notification_that_breaks_its_group_fails_alone(app, launch, monkeypatch):
    launched = launch(count=12)
    rebatch(app, WEBHOOK_BATCH_WINDOW_MS=300.0, WEBHOOK_DEFER_AT=0)
    wamids = [wamid_of(launched, i) for i in range(12)]
    poison = poison_apply(monkeypatch, wamids[5])
    responses = post_together(app, [meta.notification([meta.status(w, "delivered", utcnow())]) for w in wamids])

    codes = {wamid: r.status_code for wamid, r in zip(wamids, responses)}
    assert codes.pop(poison) == 500  # not acknowledged: Meta sends it again
    assert set(codes.values()) == {200}
    db.session.expire_all()
    statuses = dict(db.session.execute(select(Message.wamid, Message.status).where(Message.step == 1)).all())
    assert statuses[poison] == "sent" and all(statuses[w] == "delivered" for w in codes)
    assert launched.campaign().delivered_count == 11


@pytest.mark.postgresql_only
def test_the_fast_answer_carries_the_apps_headers(client, launch):
    launched = launch(count=1)
    response = meta.post(client, meta.notification([meta.status(wamid_of(launched), "delivered", utcnow())]))
    assert response.status_code == 200 and response.get_json()["changed"] == 1
    assert response.headers["Server-Timing"].startswith("app;dur=")
    assert response.headers["X-Frame-Options"] == "DENY" and response.headers["X-Content-Type-Options"] == "nosniff"
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert "nonce" not in response.headers["Content-Security-Policy"]


@pytest.mark.postgresql_only
def test_the_fast_answer_over_https_in_production_carries_hsts(app_config, request):
    """Production behind the router's TLS: Strict-Transport-Security as Talisman sets it, on https only."""
    app_config.update(APP_ENV="production", SECRET_KEY="s" * 32, WHATSAPP_APP_SECRET="w", API_TOKEN="t" * 32)
    client = request.getfixturevalue("app").test_client()
    body = json.dumps(meta.notification([meta.status("wamid.hsts", "delivered", utcnow())])).encode()
    headers = {"X-Hub-Signature-256": meta.sign(body, "w"), "Content-Type": "application/json"}
    over_https = client.post(meta.URL, data=body, headers={**headers, "X-Forwarded-Proto": "https"})
    over_http = client.post(meta.URL, data=body, headers=headers)
    assert over_https.status_code == over_http.status_code == 200
    assert over_https.headers["Server-Timing"].startswith("app;dur=")  # the fast path's answer, not the view's
    assert over_https.headers["Strict-Transport-Security"].startswith("max-age=")
    assert "Strict-Transport-Security" not in over_http.headers
