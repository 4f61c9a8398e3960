"""Campaign counters and daily totals: kept by increment as messages change, recomputed when in doubt.

Counters are kept by increment: each transaction that changes messages adds, in the same transaction,
the difference its changes make to `counter_expressions()` (same definitions, computed per row by
`flags` before and after: a `Tally`). This is race-safe because the rows are read under a lock
(SELECT ... FOR UPDATE on PostgreSQL, the database write lock on SQLite), and `count = count + n` is
atomic. Recomputing instead would scan every first message of a campaign on each webhook (a million-row
campaign, hundreds of webhooks a second) and, under READ COMMITTED, two concurrent recomputations could
each miss the other's rows. `recompute` (idempotent: reruns cannot double count) is for the sweep, a
deleted contact and the seed.
"""
from collections import Counter, defaultdict

from sqlalchemy import bindparam, case, func, select, update

from chatbot.extensions import db
from chatbot.models import COUNTER_COLUMNS, Campaign, Message

# flag -> campaign counter it feeds (no_interaction belongs to the sweep); flag -> daily counter.
COUNTER_OF = {"sent": "sent_count", "delivered": "delivered_count", "read": "read_count",
              "failed": "failed_count", "interacted": "interaction_count"}
DAILY_OF = {"sent": "sent", "delivered": "delivered", "read": "read", "failed": "failed"}


def _flag(condition):
    return func.sum(case((condition, 1), else_=0))


def counter_expressions():
    """Each counter as an aggregate over a campaign's first messages (see the contract's campaign shape)."""
    return {
        "total_count": func.count(Message.id),
        "sent_count": _flag(Message.sent_at.is_not(None)),
        "delivered_count": _flag(Message.delivered_at.is_not(None) | Message.read_at.is_not(None)),
        "read_count": _flag(Message.read_at.is_not(None)),
        "interaction_count": _flag(Message.interacted_at.is_not(None)),
        "no_interaction_count": _flag(Message.status == "no_interaction"),
        "failed_count": _flag(Message.status.in_(("failed", "no_interaction"))),
    }


def compute(campaign_ids):
    """{campaign_id: {counter: value}} from the messages, one statement; zeros for campaigns without any."""
    campaign_ids = list(set(campaign_ids))
    result = {cid: dict.fromkeys(COUNTER_COLUMNS, 0) for cid in campaign_ids}
    if not campaign_ids:
        return result
    exprs = counter_expressions()
    rows = db.session.execute(
        select(Message.campaign_id, *[e.label(name) for name, e in exprs.items()])
        .where(Message.campaign_id.in_(campaign_ids), Message.step == 1)
        .group_by(Message.campaign_id)).mappings()
    for row in rows:
        result[row["campaign_id"]] = {name: int(row[name] or 0) for name in COUNTER_COLUMNS}
    return result


def recompute(campaign_ids):
    """Write the recomputed counters of these campaigns (no commit: the caller's transaction)."""
    values = compute(campaign_ids)
    if values:
        db.session.execute(update(Campaign), [{"id": cid, **counts} for cid, counts in values.items()])
    return values


def flags(state):
    """What the counters count for one message (same definitions as counter_expressions)."""
    return {
        "sent": state.sent_at is not None,
        "delivered": state.delivered_at is not None or state.read_at is not None,
        "read": state.read_at is not None,
        "failed": state.status in ("failed", "no_interaction"),
        "interacted": state.interacted_at is not None,
    }


class Tally:
    """What one transaction changed: counter deltas per campaign, daily totals, and the events to declare."""

    def __init__(self):
        self.campaigns = defaultdict(Counter)
        self.daily = Counter()
        self.events = defaultdict(lambda: defaultdict(set))  # event -> {param: ids}

    def note(self, event, **ids):
        """Remember that `event` happened to these ids (e.g. campaign_ids=[3])."""
        params = self.events[event]
        for param, values in ids.items():
            params[param].update(v for v in values if v is not None)

    def change(self, before, after, event):
        """Account for one message going from `before` to `after`."""
        old, new = flags(before), flags(after)
        for name, counter in COUNTER_OF.items():
            delta = int(new[name]) - int(old[name])
            if not delta:
                continue
            if before.step == 1 and before.campaign_id is not None:
                self.campaigns[before.campaign_id][counter] += delta
            if delta > 0 and name in DAILY_OF:
                self.daily[DAILY_OF[name]] += delta
        self.note(event, campaign_ids=[before.campaign_id])

    def apply_counters(self):
        """Add the deltas to the campaigns, in campaign id order (a fixed lock order: no deadlock)."""
        rows = [{"campaign": cid, **{f"d_{c}": deltas.get(c, 0) for c in COUNTER_OF.values()}}
                for cid, deltas in sorted(self.campaigns.items()) if any(deltas.values())]
        if rows:
            table = Campaign.__table__  # Core executemany: one statement, many parameter sets
            statement = (update(table).where(table.c.id == bindparam("campaign"))
                         .values({c: table.c[c] + bindparam(f"d_{c}") for c in COUNTER_OF.values()}))
            db.session.execute(statement, rows)

    def emit(self, uow):
        """Declare what changed in the unit of work: one event per kind of change, and the daily counts."""
        for event, params in sorted(self.events.items()):
            uow.emit(event, **{param: sorted(ids) for param, ids in params.items()})
        if +self.daily:
            uow.emit("monitoring.counted", counts=dict(+self.daily))
