"""Contacts' answers: recorded once by wamid, linked to the campaign message they answer, second message queued.

An answer is any incoming message a person typed or tapped (text, a template quick-reply `button`, an
`interactive` button_reply / list_reply, media, location, contacts, order) from a known contact, matched
by `from` (the wa_id, E.164 without '+') to contacts.phone. It answers the contact's latest first message
of a running campaign sent at or before it (to Meta's one-second resolution) and still waiting (`sent`,
`delivered`, `read`): `failed` and `no_interaction` are final, so an answer after the 24 h sweep is
recorded as the contact's interaction but reopens nothing.
An answer that is an opt-out keyword (`optouts`) is recorded and counted like any other, queues no second
message, opts the contact out and fails their pending messages; an opt-in keyword opts them back in.
Messages from unknown numbers are logged (masked) and recorded nowhere: they stay out of the statistics.
"""
import dataclasses
import datetime as dt
import logging
from dataclasses import dataclass

from sqlalchemy import BigInteger, Integer, Text, bindparam, literal, select, true, update

from chatbot.extensions import db
from chatbot.logging import mask_phone
from chatbot.messaging import optouts
from chatbot.models import AWAITING_ANSWER, Campaign, Contact, Interaction, Message
from chatbot.models.base import UTCDateTime
from chatbot.sql import dialect_insert, json_table, json_time

log = logging.getLogger(__name__)

KINDS = frozenset({"text", "button", "interactive", "image", "audio", "video", "document", "sticker",
                   "location", "contacts", "order"})
WAITING = AWAITING_ANSWER
# Meta's timestamps are whole seconds (floor): an answer stamped T was written in [T, T+1), so it can
# answer a message sent at S exactly when S < T + 1 s.
STAMP_RESOLUTION = dt.timedelta(seconds=1)


@dataclass(frozen=True)
class Answer:
    """One incoming message from `value.messages`."""

    wamid: str
    phone: str
    at: dt.datetime
    kind: str
    body: str


def answer_text(item, kind):
    """What the contact wrote or tapped: the text, the button's text, the reply's title; else a caption."""
    content = item.get(kind)
    if not isinstance(content, dict):
        return None
    if kind == "text":
        return content.get("body")
    if kind == "button":
        return content.get("text") or content.get("payload")
    if kind == "interactive":
        reply = content.get(content.get("type")) if isinstance(content.get("type"), str) else None
        return reply.get("title") if isinstance(reply, dict) else None
    return content.get("caption")


def _known(answers):
    """([(answer, contact_id)] for answers from known numbers, first occurrence of each wamid; opted-out ids)."""
    seen, unique = set(), []
    for answer in answers:
        if answer.wamid not in seen:
            seen.add(answer.wamid)
            unique.append(answer)
    phones = {a.phone for a in unique}
    rows = db.session.execute(select(Contact.phone, Contact.id, Contact.opted_out_at)
                              .where(Contact.phone.in_(phones))).all() if phones else []
    contacts = {row.phone: row.id for row in rows}
    for answer in unique:
        if answer.phone not in contacts:
            log.info("answer from unknown number %s ignored", mask_phone(answer.phone),
                     extra={"wamid": answer.wamid, "kind": answer.kind})
    opted_out = {row.id for row in rows if row.opted_out_at is not None}
    return [(a, contacts[a.phone]) for a in unique if a.phone in contacts], opted_out


def _answered(known):
    """{wamid: (message_id, campaign_id, second_message)}: the campaign first message each answer answers."""
    latest_answer = max(a.at for a, _ in known) + STAMP_RESOLUTION
    rows = db.session.execute(
        select(Message.id, Message.contact_id, Message.campaign_id, Message.sent_at, Campaign.second_message)
        .join(Campaign, Campaign.id == Message.campaign_id)
        .where(Message.contact_id.in_({cid for _, cid in known}), Message.step == 1,
               Message.status.in_(WAITING), Message.sent_at < latest_answer, Campaign.status == "running")).all()
    by_contact = {}
    for row in rows:
        by_contact.setdefault(row.contact_id, []).append(row)
    targets = {}
    for answer, contact_id in known:
        candidates = [r for r in by_contact.get(contact_id, ()) if r.sent_at < answer.at + STAMP_RESOLUTION]
        if candidates:
            best = max(candidates, key=lambda r: (r.sent_at, r.id))
            targets[answer.wamid] = (best.id, best.campaign_id, best.second_message)
    return targets


@dataclass
class AnswerTargets:
    """Answers from known contacts and the first messages they answer, read before any lock is taken."""

    known: list
    targets: dict
    opted_out: set  # contacts opted out before these answers (read unlocked: the dispatcher is the backstop)

    @property
    def message_ids(self):
        """The first messages to lock (with the statuses' messages, in one ordered statement)."""
        return {target[0] for target in self.targets.values()}


def find_answered(answers):
    """Find the contacts and the answered first messages (reads only)."""
    known, opted_out = _known(answers)
    return AnswerTargets(known, _answered(known) if known else {}, opted_out)


def _insert_new(known, targets, now):
    """Insert the interactions, skipping wamids already recorded; returns the wamids inserted.

    One INSERT ... SELECT over the answers as one JSON parameter (chatbot/sql.py json_table): a statement of fixed
    text, compiled once, where a multi-row VALUES was compiled again for every number of answers.
    """
    rows = [{"wamid": a.wamid, "contact_id": cid, "message_id": targets.get(a.wamid, (None,))[0],
             "campaign_id": targets.get(a.wamid, (None, None))[1], "kind": a.kind, "body": a.body,
             "occurred_at": json_time(a.at), "position": n} for n, (a, cid) in enumerate(known)]
    v = json_table(rows, wamid=Text, contact_id=Integer, message_id=BigInteger, campaign_id=Integer, kind=Text,
                   body=Text, occurred_at=UTCDateTime, position=Integer)
    table = Interaction.__table__
    columns = ["wamid", "contact_id", "message_id", "campaign_id", "kind", "body", "occurred_at"]
    # `WHERE true`: SQLite's upsert after a SELECT needs one.
    statement = (dialect_insert(table).from_select(
        [*columns, "created_at"],
        select(*[v.c[c] for c in columns], literal(now, table.c.created_at.type)).where(true()).order_by(v.c.position))
        .on_conflict_do_nothing(index_elements=["wamid"]).returning(table.c.wamid))
    return set(db.session.scalars(statement))


def _touch_contacts(new):
    """last_interaction_at = the latest answer, never moved back (an old answer redelivered late)."""
    latest = {}
    for answer, contact_id in new:
        latest[contact_id] = max(latest.get(contact_id, answer.at), answer.at)
    at, table = bindparam("at", type_=UTCDateTime), Contact.__table__
    db.session.execute(
        update(table).where(table.c.id == bindparam("contact"),
                            table.c.last_interaction_at.is_(None) | (table.c.last_interaction_at < at))
        .values(last_interaction_at=at, updated_at=table.c.updated_at),
        [{"contact": cid, "at": when} for cid, when in sorted(latest.items())])


def _mark_interacted(new, targets, states, tally):
    """Set interacted_at on each answered first message (its first answer only), in `states`; returns ids."""
    first_answer = {}
    for answer, _ in new:
        if answer.wamid in targets:
            message_id = targets[answer.wamid][0]
            first_answer[message_id] = min(first_answer.get(message_id, answer.at), answer.at)
    changed = set()
    for message_id, at in first_answer.items():
        before = states[message_id]
        if before.interacted_at is None:
            states[message_id] = dataclasses.replace(before, interacted_at=at)
            tally.change(before, states[message_id], "interaction.recorded")
            changed.add(message_id)
    return changed


def _queue_second_messages(new, targets, now):
    """One pending step-2 message per answered (campaign, contact): the unique constraint keeps it to one."""
    rows = {}
    for answer, contact_id in new:
        if answer.wamid in targets:
            _, campaign_id, second = targets[answer.wamid]
            rows[(campaign_id, contact_id)] = {
                "campaign_id": campaign_id, "contact_id": contact_id, "step": 2, "status": "pending",
                "body": second, "attempts": 0, "created_at": now, "updated_at": now}
    if rows:
        db.session.execute(dialect_insert(Message.__table__).values(list(rows.values()))
                           .on_conflict_do_nothing(index_elements=["campaign_id", "contact_id", "step"]))


def _apply_keywords(new, keywords, opted_out, tally, now):
    """Opt out (and fail the pending messages of) contacts who sent an opt-out keyword; opt in those whose
    latest keyword is an opt-in. Returns the contacts opted out once these answers are applied."""
    first_out, latest = {}, {}
    for answer, contact_id in sorted(new, key=lambda pair: pair[0].at):
        wanted = keywords[answer.wamid]
        if wanted:
            latest[contact_id] = (wanted, answer.at)
            if wanted == "out":
                first_out.setdefault(contact_id, answer.at)
    opted_in = {cid: at for cid, (wanted, at) in latest.items() if wanted == "in"}
    optouts.opt_out(first_out)
    optouts.fail_pending(first_out, tally, now)
    optouts.opt_in(opted_in)
    return (set(opted_out) | set(first_out)) - set(opted_in)


def record(found, states, tally, now):
    """Record the answers (caller's transaction; `states`: the locked messages, statuses already applied).

    Returns (the wamids of the new interactions, ids of the messages whose state changed).
    """
    # A target that failed (or was swept) since it was read answers nothing any more.
    targets = {wamid: target for wamid, target in found.targets.items()
               if target[0] in states and states[target[0]].status in WAITING}
    inserted = _insert_new(found.known, targets, now) if found.known else set()
    new = [(a, cid) for a, cid in found.known if a.wamid in inserted]
    if not new:
        return set(), set()
    _touch_contacts(new)
    changed = _mark_interacted(new, targets, states, tally)
    keywords = {a.wamid: optouts.keyword(a.kind, a.body) for a, _ in new}
    opted_out = _apply_keywords(new, keywords, found.opted_out, tally, now)
    # A keyword is an interaction but asks for no offer: no second message (START neither: it is a
    # subscription command, not interest in the campaign); nor for a contact who stays opted out.
    _queue_second_messages([(a, cid) for a, cid in new if not keywords[a.wamid] and cid not in opted_out],
                           targets, now)
    tally.daily["interactions"] += len(new)
    tally.note("interaction.recorded", campaign_ids=[targets[a.wamid][1] for a, _ in new if a.wamid in targets],
               contact_ids=[contact_id for _, contact_id in new])
    return inserted, changed
