"""Meta's messaging limit: unique users reached by first messages (step 1) in a moving 24 hours.

WHATSAPP_MESSAGING_LIMIT (unset: unlimited) caps them. A contact is reached from the moment its first message's
attempt begins (`send_started_at`, set by the claim) unless that message failed: counting leased-but-unsent rows
is what keeps two dispatchers from overshooting. On PostgreSQL the claim takes a transaction-level advisory lock
before counting, so dispatchers on several dynos count and lease one after the other; SQLite's claim already
holds the database write lock. A contact already reached in the window takes no other slot.

The count is one statement over the partial index ix_messages_reach (first messages by `send_started_at`).
"""
import dataclasses
import datetime as dt

from flask import current_app
from sqlalchemy import and_, exists, func, or_, select, text
from sqlalchemy.orm import aliased

from chatbot.extensions import db
from chatbot.models import Campaign, Message
from chatbot.sql import dialect_name

WINDOW = dt.timedelta(hours=24)
# pg advisory lock key: any constant bigint no other code of ours uses ("reach" in ASCII).
REACH_KEY = 0x7265616368


def configured():
    """The limit in force, or None (unlimited)."""
    return current_app.config.get("WHATSAPP_MESSAGING_LIMIT")


def reaching(model, since):
    """The conditions for a first message (of `model`, Message or an alias) that reached its contact since then."""
    return and_(model.step == 1, model.send_started_at >= since, model.status != "failed")


def count_reached(since):
    """Unique contacts reached since `since`: one statement, index-only on ix_messages_reach."""
    return db.session.scalar(select(func.count(func.distinct(Message.contact_id))).where(reaching(Message, since)))


def already_reached(since):
    """EXISTS: the contact of the outer Message row was reached since then (it takes no new slot)."""
    earlier = aliased(Message)
    return exists().where(earlier.contact_id == Message.contact_id, reaching(earlier, since))


@dataclasses.dataclass
class Quota:
    """What is left of the limit for one claim (limit None: unlimited)."""

    limit: int = None
    since: dt.datetime = None
    reached: int = 0

    @property
    def remaining(self):
        """Slots left (None: unlimited)."""
        return None if self.limit is None else max(self.limit - self.reached, 0)

    def where(self):
        """Extra claim conditions: once full, only follow-ups and first messages to contacts already reached."""
        if self.limit is None or self.remaining > 0:
            return ()
        return (or_(Message.step != 1, already_reached(self.since)),)

    def admit(self, rows):
        """The claimable rows: every follow-up, and first messages while slots are left (one per new contact)."""
        if self.limit is None:
            return rows
        firsts = {r.contact_id for r in rows if r.step == 1}
        known = set(db.session.scalars(select(Message.contact_id).where(
            reaching(Message, self.since), Message.contact_id.in_(firsts)))) if firsts else set()
        admitted, new = [], set()
        for row in rows:
            if row.step == 1 and row.contact_id not in known | new:
                if len(new) >= self.remaining:
                    continue
                new.add(row.contact_id)
            admitted.append(row)
        return admitted


def take(now, lock=True):
    """The quota for a claim, inside its transaction: locked (PostgreSQL) and counted; unlimited costs nothing.

    `lock=False`: a look only (the scheduler's probe), which may be stale by the time a claim runs.
    """
    limit = configured()
    if limit is None:
        return Quota()
    if lock and dialect_name() == "postgresql":
        # Until this transaction ends: another dispatcher counts only after our leases are committed.
        db.session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": REACH_KEY})
    since = now - WINDOW
    return Quota(limit, since, count_reached(since))


def remaining(now):
    """{"limit", "remaining"} for the composer, or None when unlimited."""
    limit = configured()
    if limit is None:
        return None
    return {"limit": limit, "remaining": max(limit - count_reached(now - WINDOW), 0)}


def next_free_slot(now, reached, limit):
    """When the window frees the next slot: the (reached - limit + 1)-th earliest last reach, plus 24 h."""
    last = (select(func.max(Message.send_started_at).label("at")).where(reaching(Message, now - WINDOW))
            .group_by(Message.contact_id).subquery())
    first_out = db.session.scalar(select(last.c.at).order_by(last.c.at).offset(reached - limit).limit(1))
    return first_out + WINDOW if first_out else None


def held_campaign_ids(campaign_ids, now):
    """The running campaigns among these with first messages queued for contacts not reached yet."""
    waiting = select(Message.campaign_id).where(
        Message.campaign_id.in_(campaign_ids), Message.step == 1, Message.status == "pending",
        Message.send_started_at.is_(None), ~already_reached(now - WINDOW),
        exists().where(Campaign.id == Message.campaign_id, Campaign.status == "running")).distinct()
    return set(db.session.scalars(waiting))


def blocked_until(campaign_ids, now):
    """{campaign id: when the next slot frees} for the campaigns held by the full limit (others absent)."""
    limit = configured()
    if limit is None or not campaign_ids:
        return {}
    reached = count_reached(now - WINDOW)
    if reached < limit:
        return {}
    held = held_campaign_ids(campaign_ids, now)
    when = next_free_slot(now, reached, limit) if held else None
    return {campaign_id: when for campaign_id in held}
