"""Messages in doubt: an attempt began (`send_started_at`), its lease expired, and no outcome was recorded.

Their dispatcher died between the claim and the commit of Meta's answer (SIGKILL, dyno restart, lost database):
Meta may or may not have accepted them, and the Cloud API has no idempotency key, so the dispatcher never sends
them again by itself. `flask dispatch audit` lists them ("may have been sent"); an operator who checked (Meta's
status webhooks do not help: the wamid was never stored) settles each one:

- `--resend ID...`: queue it again (due now): it was not sent, or a second copy is acceptable;
- `--mark-sent ID...`: count it sent (at the time its attempt began) and never send it again.
"""
import dataclasses
import datetime as dt

from sqlalchemy import select, update

from chatbot.clock import utcnow
from chatbot.extensions import db
from chatbot.messaging.counters import Tally
from chatbot.messaging.transitions import advance, pending_state
from chatbot.models import Contact, Message
from chatbot.unit_of_work import writing


@dataclasses.dataclass(frozen=True)
class InDoubt:
    """A message that may have been sent."""

    id: int
    campaign_id: int
    contact_id: int
    phone: str
    step: int
    attempt_started_at: dt.datetime


def in_doubt_where(now):
    """Pending, attempt begun, lease expired (a lease still running is a send in flight)."""
    return (Message.status == "pending", Message.send_started_at.is_not(None), Message.next_attempt_at <= now)


def in_doubt(ids=None):
    """The messages in doubt now (or those of `ids` that are), oldest attempt first."""
    query = (select(Message.id, Message.campaign_id, Message.contact_id, Contact.phone, Message.step,
                    Message.send_started_at)
             .join(Contact, Contact.id == Message.contact_id).where(*in_doubt_where(utcnow()))
             .order_by(Message.send_started_at, Message.id))
    if ids is not None:
        query = query.where(Message.id.in_(ids))
    rows = db.session.execute(query).all()
    db.session.rollback()  # a read: end its transaction
    return [InDoubt(*row) for row in rows]


def resend(ids):
    """Queue these messages in doubt again, due now; returns the ids changed."""
    now = utcnow()
    with writing():
        return db.session.scalars(
            update(Message).where(Message.id.in_(ids), *in_doubt_where(now))
            .values(send_started_at=None, next_attempt_at=None, updated_at=now).returning(Message.id)).all()


def mark_sent(ids):
    """Count these messages in doubt as sent when their attempt began; returns the ids changed."""
    now = utcnow()
    with writing() as uow:
        rows = db.session.execute(
            update(Message.__table__).where(Message.id.in_(ids), *in_doubt_where(now))
            .values(status="sent", sent_at=Message.send_started_at, next_attempt_at=None, updated_at=now)
            .returning(Message.id, Message.campaign_id, Message.step, Message.send_started_at)).all()
        tally = Tally()
        for row in rows:
            before = pending_state(row.id, row.campaign_id, row.step)
            tally.change(before, advance(before, "sent", row.send_started_at), "message.sent")
        tally.apply_counters()
        tally.emit(uow)
    return [row.id for row in rows]
