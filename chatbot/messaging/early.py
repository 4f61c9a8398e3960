"""Statuses that arrive before their wamid is committed: kept briefly, applied by the outcome batch that writes it.

The dispatcher writes its sends' outcomes in batches (`chatbot/messaging/outcomes.py`): Meta has answered with a
wamid, yet for a few milliseconds no row carries it, and Meta may already post a status for it (webhook retries
are for failed answers only: a 200 for an unknown wamid would lose the status for good). So a webhook keeps the
statuses of unknown wamids in `early_statuses`, and each outcome batch takes the kept statuses of the wamids it
writes and applies them in its own transaction.

The race between the two is closed by a lock both take before they look at the other's rows: on PostgreSQL an
advisory transaction lock, shared by outcome batches (they run side by side), exclusive for a webhook that met
unknown wamids (it waits for the batches in flight to commit, then looks again: READ COMMITTED sees them). Either
the batch commits first (the webhook's second look finds the wamid) or the webhook commits its kept status first
(the batch's look at `early_statuses` finds it). SQLite: the database write lock already serialises both.
Kept statuses whose wamid never shows up (messages sent by another tool on the same number) are dropped after
EARLY_STATUS_KEEP.
"""
import datetime as dt

from sqlalchemy import delete, insert, text

from chatbot.extensions import db
from chatbot.models import EarlyStatus
from chatbot.sql import dialect_name

# pg advisory lock key: any constant bigint no other code of ours uses ("outcome" in ASCII).
OUTCOME_KEY = 0x6F7574636F6D65
EARLY_STATUS_KEEP = dt.timedelta(hours=1)


def _lock(function):
    """Take the outcome lock (transaction-level) on PostgreSQL; SQLite's write lock is already held."""
    if dialect_name() == "postgresql":
        db.session.execute(text(f"SELECT {function}(:key)"), {"key": OUTCOME_KEY})


def hold_outcomes():
    """An outcome batch: held (shared) until its commit, before it looks for kept statuses."""
    _lock("pg_advisory_xact_lock_shared")


def wait_for_outcomes():
    """A webhook with unknown wamids: wait until the outcome batches in flight have committed."""
    _lock("pg_advisory_xact_lock")


def keep(events, now):
    """Keep the statuses of wamids not known yet (and drop those kept too long: not ours)."""
    table = EarlyStatus.__table__
    db.session.execute(delete(table).where(table.c.received_at < now - EARLY_STATUS_KEEP))
    db.session.execute(insert(table), [
        {"wamid": e.wamid, "status": e.status, "at": e.at, "error_code": e.error_code,
         "error_message": e.error_message, "received_at": now} for e in events])


def take(wamids):
    """The kept statuses of these wamids, removed (one DELETE ... RETURNING); rows with the StatusEvent fields."""
    if not wamids:
        return []
    table = EarlyStatus.__table__
    return db.session.execute(
        delete(table).where(table.c.wamid.in_(sorted(wamids)))
        .returning(table.c.wamid, table.c.status, table.c.at, table.c.error_code, table.c.error_message)).all()
