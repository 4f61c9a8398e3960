"""Counters follow every change: random sends, statuses (out of order, repeated) and answers, then a recount."""
import itertools
import random
import threading

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from chatbot.extensions import db
from chatbot.models import STATUS_RANK, Campaign, Interaction, Message
from chatbot.messaging import counters, dispatch, monitoring
from fakes import meta
from fakes.cloud_api import error

_ids = itertools.count(1)

event = st.one_of(
    st.tuples(st.just("status"), st.integers(0, 7), st.sampled_from(["sent", "delivered", "read", "failed"])),
    st.tuples(st.just("answer"), st.integers(0, 3), st.sampled_from(["text", "button", "interactive"])),
)
step = st.one_of(
    st.tuples(st.just("dispatch")),
    st.tuples(st.just("notify"), st.lists(event, min_size=1, max_size=6)),  # several at once, any order
    st.tuples(st.just("redeliver"), st.integers(0, 30)),
    st.tuples(st.just("tick"), st.integers(1, 3600)),
)


def campaign_messages(campaign_id):
    """The campaign's messages, fresh, by id."""
    db.session.expire_all()
    return db.session.scalars(select(Message).where(Message.campaign_id == campaign_id).order_by(Message.id)).all()


def build_event(item, messages, phones, now):
    """A Meta status or incoming message for one drawn event (None if there is nothing to name yet)."""
    if item[0] == "status":
        named = [m for m in messages if m.wamid]
        if not named:
            return None
        wamid = named[item[1] % len(named)].wamid
        return ("statuses", meta.failed(wamid, now) if item[2] == "failed" else meta.status(wamid, item[2], now))
    phone, wamid = phones[item[1] % len(phones)], f"wamid.answer.{next(_ids)}"
    if item[2] == "text":
        return ("messages", meta.text(wamid, phone, now))
    if item[2] == "button":
        return ("messages", meta.template_button(wamid, phone, now, "wamid.context"))
    return ("messages", meta.button_reply(wamid, phone, now, "wamid.context"))


def daily_totals():
    """The daily counters summed over the kept 90 days."""
    totals = dict.fromkeys(monitoring.FIELDS, 0)
    for item in monitoring.daily(days=90)["items"]:
        for field in monitoring.FIELDS:
            totals[field] += item[field]
    return totals


def recount():
    """What the daily counters should hold, from the rows themselves (the test began with no counters)."""
    db.session.expire_all()
    rows = db.session.scalars(select(Message)).all()
    return {"sent": sum(m.sent_at is not None for m in rows),
            "delivered": sum(m.delivered_at is not None or m.read_at is not None for m in rows),
            "read": sum(m.read_at is not None for m in rows),
            "failed": sum(m.status == "failed" for m in rows),
            "interactions": db.session.scalar(select(func.count()).select_from(Interaction)), "no_interaction": 0}


def assert_consistent():
    """Stored counters == recomputed; daily counters == the transitions; one second message per answerer."""
    db.session.expire_all()
    campaigns = db.session.scalars(select(Campaign)).all()
    computed = counters.compute([c.id for c in campaigns])
    assert {c.id: {n: getattr(c, n) for n in counters.COUNTER_COLUMNS} for c in campaigns} == computed
    assert daily_totals() == recount()
    rows = db.session.scalars(select(Message)).all()
    answered = {(m.campaign_id, m.contact_id) for m in rows if m.step == 1 and m.interacted_at is not None}
    seconds = [(m.campaign_id, m.contact_id) for m in rows if m.step == 2]
    assert sorted(seconds) == sorted(answered)


def play(client, cloud, launch, clock, n_contacts, failing, steps):
    """Launch a campaign, play the steps through the real endpoints, check statuses never went back."""
    launched = launch(count=n_contacts, send=False, second={"text": "Thanks!"})
    for index in failing:
        cloud.fail_numbers[launched.phones[index % n_contacts]] = error(400, 131026, "Message undeliverable")
    history, ranks = [], {}
    for item in steps:
        if item[0] == "dispatch":
            dispatch.run_once()
        elif item[0] == "tick":
            clock.advance(seconds=item[1])
        elif item[0] == "redeliver" and history:
            meta.post(client, history[item[1] % len(history)])
        elif item[0] == "notify":
            messages = campaign_messages(launched.campaign_id)
            built = [b for b in (build_event(e, messages, launched.phones, clock.now()) for e in item[1]) if b]
            payload = meta.notification(statuses=[e for k, e in built if k == "statuses"],
                                        messages=[e for k, e in built if k == "messages"])
            assert meta.post(client, payload).status_code == 200
            history.append(payload)
        for m in campaign_messages(launched.campaign_id):
            assert STATUS_RANK[m.status] >= ranks.get(m.id, 0), "a status went backwards"
            ranks[m.id] = STATUS_RANK[m.status]
    assert_consistent()


@settings(max_examples=40, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(n_contacts=st.integers(1, 4), failing=st.sets(st.integers(0, 3), max_size=2),
       steps=st.lists(step, min_size=1, max_size=12))
def test_counters_equal_their_recomputation_after_any_sequence(client, cloud, launch, clock, n_contacts, failing,
                                                               steps):
    # Each example launches its own campaign with its own contacts: examples share the app, not their data.
    play(client, cloud, launch, clock, n_contacts, failing, steps)


@pytest.mark.postgresql_only
def test_concurrent_webhooks_keep_counters_exact(app, launch, clock):
    launched = launch(count=30)
    wamids = [launched.first(i).wamid for i in range(30)]
    rng = random.Random(7)
    payloads = []
    for n in range(40):
        statuses = [meta.status(w, rng.choice(["delivered", "read"]), clock.now()) for w in rng.sample(wamids, 8)]
        statuses += [meta.failed(rng.choice(wamids), clock.now())] if n % 5 == 0 else []
        answers = [meta.text(f"wamid.concurrent.{n}.{k}", rng.choice(launched.phones), clock.now()) for k in range(2)]
        payloads.append(meta.notification(statuses=statuses, messages=answers))
    work = payloads * 2  # every notification delivered twice, by different threads
    rng.shuffle(work)
    failures = []

    def poster(chunk):
        """One thread of Meta's deliveries."""
        client = app.test_client()
        for payload in chunk:
            if meta.post(client, payload).status_code != 200:
                failures.append(payload)

    threads = [threading.Thread(target=poster, args=(work[i::6],)) for i in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert failures == []
    assert_consistent()
    assert db.session.scalar(select(func.count()).select_from(Interaction)) == 80
