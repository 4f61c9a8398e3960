"""What a send's answer does to its message: sent, failed for good, or queued again after a delay.

Outcomes are written in batches (`write`: the dispatcher's outcome writer gathers them for a few milliseconds):
one UPDATE ... FROM (the outcomes as one JSON parameter, `chatbot/sql.py` json_table) sets status, wamid,
sent_at/failed_at and errors of every message of the batch, with its counter increments, in one unit of work.
Each message's times are its own answer's, not the batch's. The compare-and-set on `pending` skips a message
deleted (or resolved by an operator) meanwhile. A status webhook that came before the batch committed was kept
(`chatbot/messaging/early.py`) and is applied here, in the same transaction.
"""
import datetime as dt

from dataclasses import dataclass

from sqlalchemy import Integer, Text, case, update

from chatbot.clock import utcnow
from chatbot.extensions import db
from chatbot.messaging import early
from chatbot.messaging.counters import Tally
from chatbot.messaging.transitions import advance, apply_statuses, lock_states, pending_state, write_states
from chatbot.models import Message
from chatbot.models.base import UTCDateTime
from chatbot.sql import json_table, write_lock
from chatbot.sql import json_time as stamp, time_suffix
from chatbot.unit_of_work import run

MAX_DELAY_SECONDS = 3600.0
# Outcomes that leave the message queued (until DISPATCH_MAX_ATTEMPTS): 5xx/timeouts/bad token, throughput,
# pair rate. The last two were not retried at once by the client: Meta asked us to wait.
AGAIN = ("retry", "throttled", "pair_rate")


def retry_delay(config, attempts):
    """Backoff before the next dispatch tries again: doubling from DISPATCH_RETRY_DELAY_SECONDS, max 1 h."""
    return min(config["DISPATCH_RETRY_DELAY_SECONDS"] * 2 ** max(attempts - 1, 0), MAX_DELAY_SECONDS)


def pair_rate_delay(config, attempts):
    """A message refused for the pair rate (131056) waits WHATSAPP_PAIR_RATE_DELAY_SECONDS, doubling per attempt."""
    return min(config["WHATSAPP_PAIR_RATE_DELAY_SECONDS"] * 2 ** max(attempts - 1, 0), MAX_DELAY_SECONDS)


@dataclass(frozen=True)
class Outcome:
    """One send's answer, waiting to be written: the claimed message, the SendResult, when the answer came."""

    message: object
    result: object
    at: dt.datetime


def outcome_values(message, result, config, now):
    """(new status, column values) for a send result."""
    if result.outcome == "sent":
        return "sent", {"wamid": result.wamid, "error_code": None, "error_message": None, "next_attempt_at": None}
    errors = {"error_code": result.error_code, "error_message": result.error_message}
    if result.outcome in AGAIN and message.attempts < config["DISPATCH_MAX_ATTEMPTS"]:
        delay = (pair_rate_delay if result.outcome == "pair_rate" else retry_delay)(config, message.attempts)
        # The attempt is over and did not reach anyone: no longer in doubt, no slot of the messaging limit.
        return "pending", {**errors, "next_attempt_at": now + dt.timedelta(seconds=delay)}
    return "failed", {**errors, "next_attempt_at": None}


def rows_of(outcomes, config, now):
    """(JSON rows for the batch statement, {message id: (Outcome, new status)}).

    sent_at / failed_at are each answer's own time; a retry's delay counts from `now`, the write (a message
    is never tried again before its delay has passed since its outcome was recorded).
    """
    rows, planned = [], {}
    suffix = time_suffix()  # once a batch: it asks the session for its bind
    for outcome in outcomes:
        status, values = outcome_values(outcome.message, outcome.result, config, now)
        rows.append({"id": outcome.message.id, "status": status, "wamid": values.get("wamid"),
                     "at": stamp(outcome.at, suffix), "error_code": values["error_code"],
                     "error_message": values["error_message"],
                     "next_attempt_at": stamp(values["next_attempt_at"], suffix)})
        planned[outcome.message.id] = (outcome, status)
    return rows, planned


def _update(rows):
    """The batch's one UPDATE ... FROM: every message still pending takes its outcome; returns the ids changed."""
    v = json_table(rows, id=Integer, status=Text, wamid=Text, at=UTCDateTime, error_code=Text, error_message=Text,
                   next_attempt_at=UTCDateTime)
    table = Message.__table__
    statement = (
        update(table).where(table.c.id == v.c.id, table.c.status == "pending")
        .values(status=v.c.status, wamid=case((v.c.status == "sent", v.c.wamid), else_=table.c.wamid),
                sent_at=case((v.c.status == "sent", v.c.at), else_=table.c.sent_at),
                failed_at=case((v.c.status == "failed", v.c.at), else_=table.c.failed_at),
                # Queued again: the attempt is over, no longer in doubt; sent or failed: the mark stays.
                send_started_at=case((v.c.status == "pending", None), else_=table.c.send_started_at),
                error_code=v.c.error_code, error_message=v.c.error_message,
                next_attempt_at=v.c.next_attempt_at, updated_at=v.c.at)
        .returning(table.c.id))
    return set(db.session.scalars(statement))


def _apply_early(wamids, tally):
    """Apply the statuses kept for these wamids (webhooks that came before this batch's commit)."""
    kept = early.take(wamids)
    if kept:
        states = lock_states(Message.wamid.in_({row.wamid for row in kept}))
        changed = apply_statuses(kept, states, tally)
        write_states([states[i] for i in sorted(changed)], utcnow())


def _write(outcomes, config, uow):
    """The batch's transaction: outcome lock, one UPDATE, kept statuses, counters; returns {id: status}."""
    write_lock()
    early.hold_outcomes()
    rows, planned = rows_of(outcomes, config, utcnow())
    changed = _update(rows)
    tally = Tally()
    for message_id in sorted(changed):
        outcome, status = planned[message_id]
        if status != "pending":
            result, message = outcome.result, outcome.message
            before = pending_state(message.id, message.campaign_id, message.step)
            tally.change(before, advance(before, status, outcome.at, result.error_code, result.error_message),
                         "message.sent")
    _apply_early({planned[i][0].result.wamid for i in changed if planned[i][1] == "sent"}, tally)
    tally.apply_counters()
    tally.emit(uow)
    return {message_id: (planned[message_id][1] if message_id in changed else None) for message_id in planned}


def write(outcomes, config, batch):
    """Commit a batch of outcomes in one unit of work (re-run whole after a deadlock); returns {id: status or None}.

    Its events join `batch`, announced once the dispatch batch is settled.
    """
    if not outcomes:
        return {}
    return run(lambda uow: _write(outcomes, config, uow), batch=batch)
