"""The demo seed's opt-outs and daily monitoring counters: what the application itself would have made."""
import datetime as dt
from collections import Counter

import pytest
from sqlalchemy import select

from chatbot.extensions import db
from chatbot.messaging import monitoring, optouts
from chatbot.models import Contact, Interaction, Message

SIZES = ["seed", "demo", "--contacts", "400", "--messages", "1500", "--categories", "5", "--seed", "3"]


@pytest.fixture
def seeded(runner):
    """Both kinds of seeded opt-out (an answer, and a message while queued) occur with these sizes."""
    result = runner.invoke(args=SIZES)
    assert result.exit_code == 0, result.output
    db.session.expire_all()


def recount(days=90, today=dt.date(2026, 1, 15)):
    """{date: {field: n}} of the daily counters, recounted row by row from the database."""
    counts = Counter()
    for m in db.session.scalars(select(Message)):
        for field, at in (("sent", m.sent_at), ("delivered", m.delivered_at or m.read_at), ("read", m.read_at),
                          ("failed", m.failed_at if m.status == "failed" else None),
                          ("no_interaction", m.updated_at if m.status == "no_interaction" else None)):
            if at is not None:
                counts[(at.date(), field)] += 1
    for interaction in db.session.scalars(select(Interaction)):
        counts[(interaction.created_at.date(), "interactions")] += 1
    result = {}
    for offset in range(days):
        day = today - dt.timedelta(days=offset)
        result[day.isoformat()] = {f: counts[(day, f)] for f in monitoring.FIELDS}
    return result


def test_the_daily_counters_equal_a_recount_of_the_seeded_rows(client, seeded):
    items = client.get("/api/monitoring/daily?days=90").get_json()["items"]

    shown = {item["date"]: {f: item[f] for f in monitoring.FIELDS} for item in items}
    assert shown == recount()
    assert sum(item["sent"] for item in items) > 0 and sum(item["no_interaction"] for item in items) > 0


def test_seeded_opt_outs_follow_the_rules(seeded):
    stops = [i for i in db.session.scalars(select(Interaction)) if optouts.keyword(i.kind, i.body) == "out"]
    opted_out = {c.id: c.opted_out_at for c in db.session.scalars(select(Contact).where(
        Contact.opted_out_at.is_not(None)))}
    assert {i.message_id is None for i in stops} == {True, False}  # both kinds
    assert opted_out == {i.contact_id: i.occurred_at for i in stops}
    for contact_id, at in opted_out.items():
        messages = db.session.scalars(select(Message).where(Message.contact_id == contact_id)).all()
        assert not [m for m in messages if m.status == "pending"]
        assert not [m for m in messages if m.step == 2 and m.created_at >= at]  # no second message after it
        for m in messages:
            if m.error_code == "opted_out":
                assert (m.status, m.failed_at, m.sent_at, m.attempts) == ("failed", at, None, 0)
            else:
                assert m.created_at <= at  # nothing queued for them after they opted out
    failed = db.session.scalars(select(Message).where(Message.error_code == "opted_out")).all()
    assert failed and {m.contact_id for m in failed} <= set(opted_out)


def test_the_stats_count_the_seeded_opt_outs(client, seeded):
    expected = db.session.query(Contact).filter(Contact.opted_out_at.is_not(None)).count()
    assert expected and client.get("/api/messages/stats").get_json()["contacts"]["opted_out"] == expected
