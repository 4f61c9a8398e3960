"""Opt-outs: a contact who answers an opt-out keyword (or whom an operator opts out) is sent nothing more.

An answer opts out when its whole text, trimmed, equals one of OPT_OUT_KEYWORDS ignoring case and accents
(NFKD, combining marks dropped, casefolded): "stop", " Stop ", "arret" and "ARRÊT" do; "STOP please" does not.
OPT_IN_KEYWORDS ("START") opts back in. Only what the contact wrote or tapped counts (`text`, a template
quick-reply `button`, an `interactive` reply's title): a button labelled "Stop" is as explicit a choice as
typing it, while a media caption describes the media. Opting out fails every pending message to the contact
(`failed`, error code `opted_out`) in the same transaction, set-based, the campaign counters following as for
any failure; the dispatcher fails, instead of sending, a pending message whose contact is opted out.
"""
import unicodedata

from flask import current_app
from sqlalchemy import bindparam, update

from chatbot.extensions import db
from chatbot.messaging.transitions import advance, pending_state
from chatbot.models import Contact, Message

OPTED_OUT = "opted_out"
OPTED_OUT_MESSAGE = "the contact opted out"
KEYWORD_KINDS = frozenset({"text", "button", "interactive"})


def fold(text):
    """The text compared with the keywords: trimmed, accents dropped, casefolded."""
    decomposed = unicodedata.normalize("NFKD", text.strip())
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def keyword(kind, text):
    """"out", "in" or None: what an answer of `kind` with this text asks for."""
    if kind not in KEYWORD_KINDS or not text:
        return None
    folded = fold(text)
    config = current_app.config
    if folded in {fold(k) for k in config["OPT_OUT_KEYWORDS"]}:
        return "out"
    if folded in {fold(k) for k in config["OPT_IN_KEYWORDS"]}:
        return "in"
    return None


def opt_out(at_by_contact):
    """Set opted_out_at (kept when already set) for {contact_id: when}: one executemany UPDATE."""
    if at_by_contact:
        table = Contact.__table__
        db.session.execute(
            update(table).where(table.c.id == bindparam("contact"), table.c.opted_out_at.is_(None))
            .values(opted_out_at=bindparam("at", type_=table.c.opted_out_at.type),
                    updated_at=table.c.updated_at),
            [{"contact": cid, "at": at} for cid, at in sorted(at_by_contact.items())])


def opt_in(at_by_contact):
    """Clear opted_out_at for {contact_id: when}, unless the contact opted out after `when` (a late START)."""
    if at_by_contact:
        table = Contact.__table__
        db.session.execute(
            update(table).where(table.c.id == bindparam("contact"),
                                table.c.opted_out_at <= bindparam("at", type_=table.c.opted_out_at.type))
            .values(opted_out_at=None, updated_at=table.c.updated_at),
            [{"contact": cid, "at": at} for cid, at in sorted(at_by_contact.items())])


def fail_messages(condition, tally, now, event):
    """Fail the pending messages matching `condition` with `opted_out`, one UPDATE; counted in `tally`.

    The compare-and-set on `pending` keeps the counters exact: a message the dispatcher sent meanwhile
    is skipped (PostgreSQL re-checks the condition after waiting for its lock).
    """
    rows = db.session.execute(
        update(Message.__table__).where(condition, Message.status == "pending")
        .values(status="failed", failed_at=now, error_code=OPTED_OUT, error_message=OPTED_OUT_MESSAGE,
                next_attempt_at=None, updated_at=now)
        .returning(Message.id, Message.campaign_id, Message.step)).all()
    for row in rows:
        before = pending_state(row.id, row.campaign_id, row.step)
        tally.change(before, advance(before, "failed", now, OPTED_OUT, OPTED_OUT_MESSAGE), event)
    return len(rows)


def fail_pending(contact_ids, tally, now):
    """Fail every pending message to these (opted-out) contacts; returns how many."""
    if not contact_ids:
        return 0
    return fail_messages(Message.contact_id.in_(sorted(set(contact_ids))), tally, now, "message.status")
