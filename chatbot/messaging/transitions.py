"""Message statuses: the ladder a message climbs (never down), its state read under lock and written back.

What a change counts (campaign counters, daily totals) is `chatbot.messaging.counters.Tally`.
"""
import dataclasses
import datetime as dt
from collections import defaultdict

from sqlalchemy import Integer, Text, select, update

from chatbot.extensions import db
from chatbot.models import STATUS_RANK, Message
from chatbot.models.base import UTCDateTime
from chatbot.sql import json_table, json_time

STATUS_COLUMN = {"sent": "sent_at", "delivered": "delivered_at", "read": "read_at", "failed": "failed_at"}


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
TIMES = frozenset(c for c in WRITABLE if c.endswith("_at"))


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


def write_states(states, now):
    """Write changed states in ONE UPDATE ... FROM (the states as one JSON parameter, chatbot/sql.py json_table).

    One statement, not an executemany by primary key: the maintained counts' statement triggers
    (chatbot/models/count_triggers.py) then fire once for the group, not once per message.
    """
    if not states:
        return
    rows = [{"id": s.id, **{c: (json_time(v) if c in TIMES else v) for c in WRITABLE for v in (getattr(s, c),)}}
            for s in states]
    v = json_table(rows, id=Integer, **{c: (UTCDateTime if c in TIMES else Text) for c in WRITABLE})
    table = Message.__table__
    db.session.execute(update(table).where(table.c.id == v.c.id)
                       .values(updated_at=now, **{c: v.c[c] for c in WRITABLE}))


def apply_statuses(events, states, tally):
    """Move the named messages (locked, in `states`) up the ladder, never down; returns the changed ids.

    Unknown wamids are ignored; a redelivered status finds nothing to change.
    """
    by_wamid = defaultdict(list)
    for event in events:
        by_wamid[event.wamid].append(event)
    changed = set()
    for message_id, before in states.items():
        after = before
        for event in sorted(by_wamid.get(before.wamid, ()), key=lambda e: (STATUS_RANK[e.status], e.at)):
            after = advance(after, event.status, event.at, event.error_code, event.error_message)
        if after != before:
            states[message_id] = after
            changed.add(message_id)
            tally.change(before, after, "message.status")
    return changed
