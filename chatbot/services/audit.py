"""The audit log: every unit of work with an actor writes one row in its own transaction (a before-commit effect).

Who: the request's principal (a user's email, "token name (email)", API_TOKEN), "cli" for commands, "system" for
the scheduler. What: the unit of work's event names. Which: their ids. Meta's webhooks have no actor and are not
audited (they are data, at Meta's volume, not decisions); nor are the writes of the open development API (no
API_TOKEN, no user yet: nobody to hold accountable). A batch of units of
work (a dispatch batch, a sweep) writes one row, with its first commit.
"""
import click
from flask import has_request_context
from sqlalchemy import select

from chatbot.principals import current_principal, nobodys
from chatbot.extensions import db
from chatbot.live.publish import changes_of
from chatbot.models import AuditEntry
from chatbot.services.messages import decode_cursor, encode_cursor
from chatbot.unit_of_work import BATCH_INFO

HISTORY = ("campaign.created", "campaign.updated", "campaign.launched", "campaign.paused", "campaign.resumed")


def current_actor():
    """(user id, label) of whoever makes this write, or None when nobody is accountable (webhooks)."""
    if nobodys():  # the webhook batcher's thread
        return None
    if has_request_context():
        principal = current_principal()
        # The open development API (no API_TOKEN, no user yet) has nobody to hold accountable.
        return (principal.user_id, principal.label) if principal and principal.kind != "open" else None
    if click.get_current_context(silent=True) is not None:
        return None, "cli"
    return None, "system"


def _campaign_of(changes):
    """The campaign id when the write concerns exactly one (its history is then one indexed read)."""
    ids = {i for params in changes.values() for i in params.get("campaign_id", [])}
    return ids.pop() if len(ids) == 1 else None


def record(events):
    """Before-commit effect: one INSERT for the unit of work (none for a batch's later units)."""
    actor = current_actor() if events else None
    if actor is None:
        return
    batch = db.session.info.get(BATCH_INFO)
    if batch is not None and not batch.first_audit():
        return
    changes = changes_of(events)
    db.session.add(AuditEntry(user_id=actor[0], actor=actor[1], action=",".join(changes)[:500], ids=changes,
                              campaign_id=_campaign_of(changes)))


def list_entries(per_page=50, cursor=None, user_id=None, action=None):
    """{"items", "next_cursor"}: newest first, keyset on the id, filtered by user and event name."""
    query = select(AuditEntry)
    if cursor:
        query = query.where(AuditEntry.id < decode_cursor(cursor)[1])
    if user_id is not None:
        query = query.where(AuditEntry.user_id == user_id)
    if action:
        query = query.where(("," + AuditEntry.action + ",").contains("," + action + ","))
    rows = db.session.scalars(query.order_by(AuditEntry.id.desc()).limit(per_page + 1)).all()
    next_cursor = encode_cursor(rows[per_page - 1].at, rows[per_page - 1].id) if len(rows) > per_page else None
    return {"items": rows[:per_page], "next_cursor": next_cursor}


def campaign_history(campaign_id):
    """[{"action", "actor", "at"}] of a campaign's creation, edits, launch, pauses and resumes, oldest first."""
    rows = db.session.execute(select(AuditEntry.action, AuditEntry.actor, AuditEntry.at)
                              .where(AuditEntry.campaign_id == campaign_id).order_by(AuditEntry.id)).all()
    return [{"action": action, "actor": row.actor, "at": row.at}
            for row in rows for action in row.action.split(",") if action in HISTORY]


def init_app(app):
    """Record every write's actor in its transaction."""
    from chatbot import unit_of_work
    unit_of_work.on_before_commit(app, record)
