"""The hourly no-interaction sweep: overdue first messages become `no_interaction`, campaigns follow.

A campaign first message is overdue when it went out (`sent`, `delivered` or `read`) at
`sent_at <= now - NO_INTERACTION_AFTER_HOURS` (so exactly 24 h counts) and its contact has no
interaction with `occurred_at >= sent_at` (an answer before the message went out does not count).
Set-based and idempotent: batches of UPDATE ... RETURNING, each its own unit of work and each
re-checking the status, so two sweeps at once (or one after a lost lock) mark every message once.
Their events are gathered in one `unit_of_work.Batch`: the cache and the daily counter hear of a sweep
once, also when a later step failed (what committed is announced all the same).

A paused campaign's sent messages are marked like any other's (the 24 hours run whether or not the rest is
sent), but only a running campaign completes: a paused one stays paused, even with nothing left pending, until
the operator resumes it (then the next sweep completes it). Completing it behind the operator's back would make
their resume a 409 and hide that they had stopped it.
"""
import datetime as dt
import logging
import queue
import threading

from flask import current_app
from sqlalchemy import and_, exists, literal, literal_column, or_, select, tuple_, update

from chatbot.clock import get_clock
from chatbot.extensions import db
from chatbot.messaging import counters
from chatbot.models import AWAITING_ANSWER, Campaign, Interaction, Message
from chatbot.models.base import BigId, UTCDateTime
from chatbot.unit_of_work import Batch, writing

log = logging.getLogger(__name__)

# Constants written into the SQL, not bound: PostgreSQL matches the partial index ix_messages_sweep
# (step = 1 AND status IN ('sent', 'delivered', 'read')) only against literal values.
FIRST_STEP = literal_column("1")
AWAITING = [literal_column(f"'{status}'") for status in AWAITING_ANSWER]
PENDING = literal_column("'pending'")


def _awaiting_answer(m):
    """`m` (messages or an alias) is a campaign first message that went out and has no recorded answer."""
    return and_(m.c.step == FIRST_STEP, m.c.status.in_(AWAITING), m.c.interacted_at.is_(None),
                m.c.campaign_id.is_not(None))


def _answered_since_sent(m):
    """The contact of `m` interacted at or after `m.sent_at` (earlier answers do not count)."""
    return exists().where(Interaction.contact_id == m.c.contact_id, Interaction.occurred_at >= m.c.sent_at)


def _unresolved(m):
    """First message `m` still decides its campaign's outcome: pending, or out and neither answered nor marked."""
    return and_(m.c.step == FIRST_STEP,
                or_(m.c.status == PENDING, and_(_awaiting_answer(m), ~_answered_since_sent(m))))


def _mark_batch(cutoff, after, now, size, announced=None):
    """Mark up to `size` overdue messages past the keyset `after` in one unit of work (events to `announced`).

    The id sub-select walks ix_messages_sweep by (sent_at, id) from `after`, so answered messages
    are skipped once per sweep, not once per batch. On PostgreSQL it locks its rows with SKIP LOCKED,
    so a concurrent sweep takes other rows instead of waiting; the UPDATE re-checks the status.
    """
    table = Message.__table__
    candidate = table.alias("candidate")
    ids = select(candidate.c.id).where(
        _awaiting_answer(candidate), candidate.c.sent_at <= cutoff, ~_answered_since_sent(candidate))
    if after is not None:
        last_sent_at, last_id = literal(after[0], UTCDateTime), literal(after[1], BigId)
        ids = ids.where(candidate.c.sent_at >= last_sent_at,
                        tuple_(candidate.c.sent_at, candidate.c.id) > tuple_(last_sent_at, last_id))
    # A CTE, evaluated once: PostgreSQL may re-run a plain IN (sub-select) per row, and a re-run skips
    # the rows this statement has just updated, so LIMIT would let a batch grow past `size`.
    batch = (ids.order_by(candidate.c.sent_at, candidate.c.id).limit(size)
             .with_for_update(skip_locked=True).cte("batch"))
    statement = (update(table)
                 .where(table.c.id.in_(select(batch.c.id)), _awaiting_answer(table), table.c.sent_at <= cutoff)
                 .values(status="no_interaction", updated_at=now)
                 .returning(table.c.id, table.c.contact_id, table.c.campaign_id, table.c.sent_at))
    with writing(batch=announced) as uow:
        rows = db.session.execute(statement).all()
        if rows:
            uow.emit("sweep.completed", campaign_ids=sorted({row.campaign_id for row in rows}))
            uow.emit("monitoring.counted", counts={"no_interaction": len(rows)})
    return rows


class MarkLog:
    """Writes the per-contact lines of committed batches on a helper thread.

    The lines of one batch are formatted while the next batch's UPDATE runs in the database (the
    driver releases the GIL while it waits), instead of after it; at most two batches wait in line.
    """

    def __init__(self):
        self.batches = queue.Queue(maxsize=2)
        self.thread = threading.Thread(target=self._write, name="sweep log", daemon=True)

    def _write(self):
        while (rows := self.batches.get()) is not None:
            try:
                for message_id, contact_id, campaign_id, _sent_at in rows:
                    log.info("no interaction: contact %s, message %s, campaign %s",
                             contact_id, message_id, campaign_id,
                             extra={"contact_id": contact_id, "message_id": message_id, "campaign_id": campaign_id})
            except Exception:
                # Keep draining whatever happens, or the sweep would block on a full queue.
                log.exception("sweep: could not log a batch of %d marked messages", len(rows))

    def __enter__(self):
        self.thread.start()
        return self

    def write(self, rows):
        """Log these committed rows (soon, in order)."""
        if rows:
            self.batches.put(rows)

    def __exit__(self, *exc_info):
        self.batches.put(None)
        self.thread.join()


def mark_overdue(cutoff, now, batch_size, progress, announced=None):
    """Mark every overdue message in batches; `progress` (dict: marked, campaign_ids) follows each commit.

    The events go to the `announced` Batch, or (None) to the effects at each commit.
    """
    after = None
    with MarkLog() as mark_log:
        while True:
            rows = _mark_batch(cutoff, after, now, batch_size, announced)
            mark_log.write(rows)
            progress["marked"] += len(rows)
            progress["campaign_ids"].update(row.campaign_id for row in rows)
            if len(rows) < batch_size:
                return progress
            after = max((row.sent_at, row.id) for row in rows)


def finish_campaigns(touched, now, announced=None):
    """One unit of work: complete the resolved running campaigns, recompute counters; ids completed.

    Counters of every running campaign are recomputed, not only those touched now: a sweep that died
    between its batches and this step left counters behind, and the next sweep repairs them. Campaign
    rows are locked first (in id order, FOR UPDATE on PostgreSQL) so that of two concurrent sweeps the
    later one computes after the earlier one has committed, and its counters win.
    """
    table = Campaign.__table__
    with writing(batch=announced) as uow:
        ids = db.session.scalars(
            select(table.c.id).where(or_(table.c.status == "running", table.c.id.in_(sorted(touched))))
            .order_by(table.c.id).with_for_update()).all()
        message = Message.__table__.alias("first_message")
        unresolved = select(message.c.id).where(message.c.campaign_id == table.c.id, _unresolved(message))
        completed = sorted(db.session.scalars(
            update(table).where(table.c.id.in_(ids), table.c.status == "running", ~unresolved.exists())
            .values(status="completed", completed_at=now, updated_at=now)
            .returning(table.c.id)).all())
        counters.recompute(ids)
        if ids:
            uow.emit("sweep.completed", campaign_ids=list(ids))
        if completed:
            uow.emit("campaign.completed", campaign_ids=completed)
    return completed


def run():
    """Sweep now: {"marked": n, "completed": m, "duration_ms": ...}. Safe to run twice or concurrently."""
    config = current_app.config
    clock = get_clock()
    started, now = clock.monotonic(), clock.now()
    cutoff = now - dt.timedelta(hours=config["NO_INTERACTION_AFTER_HOURS"])
    progress = {"marked": 0, "campaign_ids": set()}
    completed = []
    # Committed batches stay marked even if a later step failed: the Batch announces them anyway.
    with Batch() as announced:
        mark_overdue(cutoff, now, config["SWEEP_BATCH_SIZE"], progress, announced)
        completed = finish_campaigns(progress["campaign_ids"], now, announced)
    duration_ms = round((clock.monotonic() - started) * 1000, 1)
    log.info("sweep: marked %d messages, completed %d campaigns in %.1f ms",
             progress["marked"], len(completed), duration_ms,
             extra={"marked": progress["marked"], "completed": len(completed), "duration_ms": duration_ms})
    return {"marked": progress["marked"], "completed": len(completed), "duration_ms": duration_ms}
