"""What a send's answer does to its message: sent, failed for good, or queued again after a delay.

Each outcome is committed at once with its counter increments (its own unit of work): a status webhook that
arrives right after Meta's answer finds the wamid. The compare-and-set on `pending` skips a message deleted
(or resolved by an operator) meanwhile.
"""
import datetime as dt

from sqlalchemy import update

from chatbot.clock import utcnow
from chatbot.extensions import db
from chatbot.messaging.counters import Tally
from chatbot.messaging.transitions import advance, pending_state
from chatbot.models import Message
from chatbot.unit_of_work import writing

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


def outcome_values(message, result, config, now):
    """(new status, column values) for a send result."""
    if result.outcome == "sent":
        return "sent", {"wamid": result.wamid, "error_code": None, "error_message": None}
    errors = {"error_code": result.error_code, "error_message": result.error_message}
    if result.outcome in AGAIN and message.attempts < config["DISPATCH_MAX_ATTEMPTS"]:
        delay = (pair_rate_delay if result.outcome == "pair_rate" else retry_delay)(config, message.attempts)
        # The attempt is over and did not reach anyone: no longer in doubt, no slot of the messaging limit.
        return "pending", {**errors, "send_started_at": None, "next_attempt_at": now + dt.timedelta(seconds=delay)}
    return "failed", errors


def record(message, result, config, batch):
    """Commit one send's outcome with its counter increments; returns the new status (None if gone).

    Its events join `batch`, announced once the batch is settled.
    """
    now = utcnow()
    status, values = outcome_values(message, result, config, now)
    if status != "pending":
        values["next_attempt_at"] = None
        values[{"sent": "sent_at", "failed": "failed_at"}[status]] = now
    with writing(batch=batch) as uow:
        changed = db.session.execute(update(Message).where(Message.id == message.id, Message.status == "pending")
                                     .values(status=status, updated_at=now, **values)).rowcount
        if changed and status != "pending":
            tally = Tally()
            before = pending_state(message.id, message.campaign_id, message.step)
            tally.change(before, advance(before, status, now, result.error_code, result.error_message),
                         "message.sent")
            tally.apply_counters()
            tally.emit(uow)
    return status if changed else None
