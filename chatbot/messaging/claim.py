"""The dispatcher's queue: due pending messages claimed (leased, their attempt begun) by one dispatcher only.

A batch is claimed in one short transaction: SELECT ... FOR UPDATE SKIP LOCKED (PostgreSQL) picks due pending
rows no other dispatcher holds, and the same transaction leases them (`next_attempt_at` = now +
DISPATCH_LEASE_SECONDS, `attempts` + 1) and marks their attempt begun (`send_started_at`), durably, before any
HTTP call. An outcome clears the mark (queued again) or keeps it (sent, failed); a message given back untried
(`release`) loses it. A pending message still marked once its lease expired is one whose dispatcher died between
the claim and the outcome's commit: Meta may have accepted it, and the Cloud API has no idempotency key, so the
claim never takes it again; `flask dispatch audit` lists it for an operator (chatbot/messaging/audit.py).

The messaging limit (chatbot/messaging/limit.py) is counted and applied inside the claim's transaction.
"""
import dataclasses
import datetime as dt

from sqlalchemy import exists, or_, select, update

from chatbot.clock import utcnow
from chatbot.extensions import db
from chatbot.messaging import limit, optouts
from chatbot.messaging.counters import Tally
from chatbot.models import Campaign, Contact, Message
from chatbot.sql import write_lock
from chatbot.unit_of_work import writing


@dataclasses.dataclass(frozen=True)
class Claimed:
    """A leased message and what sending it needs."""

    id: int
    campaign_id: int
    step: int
    body: dict
    attempts: int
    phone: str


def not_paused():
    """The message's campaign (if any) is not paused: its pending messages wait for the resume."""
    return ~exists().where(Campaign.id == Message.campaign_id, Campaign.status == "paused")


def claimable(now):
    """Pending, due, no attempt begun (in flight or in doubt), campaign not paused."""
    due = or_(Message.next_attempt_at.is_(None), Message.next_attempt_at <= now)
    return (Message.status == "pending", due, Message.send_started_at.is_(None), not_paused())


def has_due():
    """Is any pending message due and within the messaging limit? An indexed probe (ix_messages_pending), no
    lock, no Redis.

    The scheduler asks this before taking `lock:dispatch`, so an idle dyno costs Redis nothing
    every DISPATCH_INTERVAL_SECONDS (Upstash bills per command). With the limit full, first messages to new
    contacts are not due: the dispatcher does not wake for them (one more statement, the limit's count).
    """
    now = utcnow()
    quota = limit.take(now, lock=False)
    found = db.session.scalar(select(Message.id).where(*claimable(now), *quota.where()).limit(1)) is not None
    db.session.rollback()  # end the read transaction: the job thread keeps its session between runs
    return found


def _fail_opted_out(rows, now, uow):
    """Fail (not lease) the claimed rows whose contact opted out; returns the others."""
    opted_out = [r.id for r in rows if r.opted_out_at is not None]
    if opted_out:
        tally = Tally()
        optouts.fail_messages(Message.id.in_(opted_out), tally, now, "message.sent")
        tally.apply_counters()
        tally.emit(uow)
    return [r for r in rows if r.opted_out_at is None]


def _select(now, quota, size):
    """Up to `size` claimable rows, oldest first, locked (skipping those another dispatcher holds)."""
    return db.session.execute(
        select(Message.id, Message.campaign_id, Message.contact_id, Message.step, Message.body, Message.attempts,
               Contact.phone, Contact.opted_out_at)
        .join(Contact, Contact.id == Message.contact_id)
        .where(*claimable(now), *quota.where())
        .order_by(Message.id).limit(size)
        .with_for_update(of=Message, skip_locked=True)).all()


def claim(size, lease_seconds):
    """Lease up to `size` due pending messages, oldest first, in one transaction; returns them.

    A claimed message whose contact opted out is failed (`opted_out`) in the same transaction instead;
    a batch made only of those is followed by the next one, so the queue behind them is still reached.
    First messages beyond the messaging limit stay queued.
    """
    now = utcnow()
    with writing() as uow:  # a lease changes no status; only opted-out failures are announced
        write_lock()
        quota = limit.take(now)
        leased = []
        while not leased:
            rows = _select(now, quota, size)
            if not rows:
                break
            reachable = _fail_opted_out(rows, now, uow)
            leased = quota.admit(reachable)
            if reachable and not leased:
                break  # the rest waits for the messaging limit's window to move
        if leased:
            db.session.execute(
                update(Message).where(Message.id.in_([r.id for r in leased]), Message.status == "pending")
                .values(next_attempt_at=now + dt.timedelta(seconds=lease_seconds), send_started_at=now,
                        attempts=Message.attempts + 1, updated_at=now))
    return [Claimed(r.id, r.campaign_id, r.step, r.body, r.attempts + 1, r.phone) for r in leased]


def release(claimed, when):
    """Give back leased messages that were not tried (their attempt does not count, nor is it in doubt)."""
    if claimed:
        with writing():
            db.session.execute(
                update(Message).where(Message.id.in_([c.id for c in claimed]), Message.status == "pending")
                .values(next_attempt_at=when, send_started_at=None, attempts=Message.attempts - 1))
