"""Message state transitions and what they move: campaign counters, daily totals, cache events.

Counters are kept by increment: each transaction that changes messages adds, in the same transaction,
the difference its changes make to `counters.counter_expressions()` (same definitions, computed per row
before and after). This is race-safe because the rows are read under a lock (SELECT ... FOR UPDATE on
PostgreSQL, the database write lock on SQLite), and `count = count + n` is atomic. Recomputing instead
would scan every first message of a campaign on each webhook (a million-row campaign, hundreds of
webhooks a second) and, under READ COMMITTED, two concurrent recomputations could each miss the other's rows.
"""
import dataclasses
import datetime as dt
import logging
from collections import Counter, defaultdict

from sqlalchemy import bindparam, select, text, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import DBAPIError

from chatbot.cache.invalidation import invalidate_many
from chatbot.extensions import db
from chatbot.models import STATUS_RANK, Campaign, Message
from chatbot.services import monitoring

log = logging.getLogger(__name__)

STATUS_COLUMN = {"sent": "sent_at", "delivered": "delivered_at", "read": "read_at", "failed": "failed_at"}
# flag -> campaign counter it feeds (no_interaction belongs to the sweep); flag -> daily counter.
COUNTER_OF = {"sent": "sent_count", "delivered": "delivered_count", "read": "read_count",
              "failed": "failed_count", "interacted": "interaction_count"}
DAILY_OF = {"sent": "sent", "delivered": "delivered", "read": "read", "failed": "failed"}
# Deadlock, serialization failure, lock not available: the whole transaction can simply run again.
RETRYABLE_SQLSTATES = {"40P01", "40001", "55P03"}


@dataclasses.dataclass(frozen=True)
class MessageState:
    """The columns of a message that transitions read and write."""

    id: int
    wamid: str
    campaign_id: int
    step: int
    status: str
    sent_at: dt.datetime
    delivered_at: dt.datetime
    read_at: dt.datetime
    failed_at: dt.datetime
    interacted_at: dt.datetime
    error_code: str
    error_message: str


STATE_COLUMNS = [getattr(Message, f.name) for f in dataclasses.fields(MessageState)]
WRITABLE = ("status", "sent_at", "delivered_at", "read_at", "failed_at", "interacted_at", "error_code",
            "error_message")


def pending_state(message_id, campaign_id, step):
    """The state of a message that was never sent."""
    return MessageState(message_id, None, campaign_id, step, "pending", *[None] * 7)


def lock_states(condition):
    """{id: MessageState} of the messages matching `condition`, locked until commit, in id order."""
    # FOR NO KEY UPDATE: exclusive among writers, yet compatible with the KEY SHARE locks that foreign
    # key checks take (inserting an interaction that references a message locked by another webhook).
    rows = db.session.execute(select(*STATE_COLUMNS).where(condition).order_by(Message.id)
                              .with_for_update(key_share=True))
    return {row.id: MessageState(*row) for row in rows}


def advance(state, status, at, error_code=None, error_message=None):
    """The state after `status` arrives: only ever up the ladder (`read` then `delivered` stays `read`)."""
    if STATUS_RANK[status] <= STATUS_RANK[state.status]:
        return state
    changes = {"status": status}
    column = STATUS_COLUMN[status]
    if getattr(state, column) is None:
        changes[column] = at
    if status in ("delivered", "read") and state.sent_at is None:
        changes["sent_at"] = at  # delivered implies sent
    if status == "failed":
        changes.update(error_code=error_code, error_message=error_message)
    return dataclasses.replace(state, **changes)


def flags(state):
    """What the counters count for one message (same definitions as counters.counter_expressions)."""
    return {
        "sent": state.sent_at is not None,
        "delivered": state.delivered_at is not None or state.read_at is not None,
        "read": state.read_at is not None,
        "failed": state.status in ("failed", "no_interaction"),
        "interacted": state.interacted_at is not None,
    }


def write_states(states, now):
    """Write changed states in one executemany UPDATE by primary key."""
    if states:
        db.session.execute(update(Message), [
            {"id": s.id, "updated_at": now, **{c: getattr(s, c) for c in WRITABLE}} for s in states])


class Tally:
    """What one transaction changed: counter deltas per campaign, daily totals, cache events."""

    def __init__(self):
        self.campaigns = defaultdict(Counter)
        self.daily = Counter()
        self.events = set()

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
        self.events.add(event)

    def merge(self, other):
        """Add another tally's counts (e.g. one per message of a dispatch batch)."""
        for campaign_id, deltas in other.campaigns.items():
            self.campaigns[campaign_id].update(deltas)
        self.daily.update(other.daily)
        self.events |= other.events

    def apply_counters(self):
        """Add the deltas to the campaigns, in campaign id order (a fixed lock order: no deadlock)."""
        rows = [{"campaign": cid, **{f"d_{c}": deltas.get(c, 0) for c in COUNTER_OF.values()}}
                for cid, deltas in sorted(self.campaigns.items()) if any(deltas.values())]
        if rows:
            table = Campaign.__table__  # Core executemany: one statement, many parameter sets
            statement = (update(table).where(table.c.id == bindparam("campaign"))
                         .values({c: table.c[c] + bindparam(f"d_{c}") for c in COUNTER_OF.values()}))
            db.session.execute(statement, rows)

    def publish(self):
        """After the commit: daily counters in one pipeline, then one cache invalidation."""
        monitoring.record(dict(self.daily))
        if self.events:
            invalidate_many([(event, {}) for event in sorted(self.events)])


def write_lock():
    """SQLite has no row locks: a no-op write opens the transaction holding the database write lock, so
    what it reads next cannot change before the commit (PostgreSQL uses SELECT ... FOR UPDATE instead)."""
    if db.session.get_bind().dialect.name == "sqlite":
        db.session.execute(text("UPDATE messages SET id = id WHERE 0"))


def dialect_insert(table):
    """INSERT with ON CONFLICT support on either backend."""
    name = db.session.get_bind().dialect.name
    return (pg_insert if name == "postgresql" else sqlite_insert)(table)


def _retryable(exc):
    """A deadlock, a serialization failure or a busy SQLite: worth running again."""
    sqlstate = getattr(getattr(exc, "orig", None), "sqlstate", None)
    return sqlstate in RETRYABLE_SQLSTATES or "database is locked" in str(exc)


def in_transaction(work, attempts=3):
    """Run `work()` then commit; a deadlock (or a busy SQLite) reruns the whole transaction."""
    for attempt in range(1, attempts + 1):
        try:
            result = work()
            db.session.commit()
            return result
        except DBAPIError as exc:
            db.session.rollback()
            if attempt == attempts or not _retryable(exc):
                raise
            log.warning("transaction retried after %s", exc.__class__.__name__, extra={"attempt": attempt})
