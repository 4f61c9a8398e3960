"""Meta's webhook: the subscription handshake, the signature, notifications parsed and applied.

A notification (`{"object": "whatsapp_business_account", "entry": [{"changes": [{"value": {...}}]}]}`)
may carry several entries, changes, statuses and incoming messages. On PostgreSQL the notifications of
concurrent requests are committed together (`chatbot/messaging/batcher.py`, group commit) and each request is
answered once its group committed; on SQLite each is applied in its request. Either way all of it goes through
one unit of work (a few set-based statements, `chatbot/messaging/ingest.py`, re-run whole after a deadlock),
whose events then reach the daily counters and the cache once. A status for a wamid not known yet (the
dispatcher's outcome batch has not committed it) is kept and applied by that batch (`chatbot/messaging/early.py`).
Anything that is valid JSON is acknowledged with 200 (Meta retries other answers for days), whatever
its shape: what cannot be understood is skipped.
"""
import datetime as dt
import hashlib
import hmac
import json
import logging
import re
from dataclasses import dataclass

from flask import current_app

from chatbot.clock import utcnow
from chatbot.errors import BadRequest, Forbidden
from chatbot import unit_of_work
from chatbot.messaging import answers, ingest
from chatbot.messaging.batcher import batcher
from chatbot.messaging.ingest import Notification

log = logging.getLogger(__name__)

STATUSES = ("sent", "delivered", "read", "failed")
MAX_TIMESTAMP = 253402300799  # 9999-12-31T23:59:59Z
WA_ID = re.compile(r"[0-9]{6,15}")


@dataclass(frozen=True)
class StatusEvent:
    """One entry of `value.statuses`."""

    wamid: str
    status: str
    at: dt.datetime
    error_code: str = None
    error_message: str = None


def verify_subscription(args):
    """The hub.challenge to echo when hub.mode is `subscribe` and hub.verify_token matches; else 403."""
    expected = current_app.config.get("WHATSAPP_VERIFY_TOKEN")
    token = args.get("hub.verify_token", "")
    if (args.get("hub.mode") != "subscribe" or not expected
            or not hmac.compare_digest(token.encode("utf-8", "replace"), expected.encode())):
        raise Forbidden("webhook verification failed")
    challenge = args.get("hub.challenge")
    if not challenge or len(challenge) > 256:
        raise BadRequest("hub.challenge is missing or too long")
    return challenge


def signature_ok(raw, header, secret):
    """Is X-Hub-Signature-256 `sha256=` + HMAC-SHA256(app secret, raw body)? (Always, when no secret is set.)"""
    if not secret:
        return True
    expected = "sha256=" + hmac.new(secret.encode(), raw, hashlib.sha256).hexdigest()
    return bool(header) and hmac.compare_digest(header.strip().encode("utf-8", "replace"), expected.encode())


def check_signature(raw, header):
    """403 unless the signature is right (when a secret is set)."""
    if not signature_ok(raw, header, current_app.config.get("WHATSAPP_APP_SECRET")):
        raise Forbidden("missing or wrong X-Hub-Signature-256")


def decode(raw):
    """The JSON document of a raw body; 400 when it is not JSON."""
    try:
        return json.loads(raw)
    except (ValueError, RecursionError):  # UnicodeDecodeError and JSONDecodeError are ValueErrors
        raise BadRequest("the request body must be JSON") from None


def clean_text(value, limit):
    """A string safe to store (no NUL, no lone surrogate), cut to `limit` characters; None if not a string."""
    if not isinstance(value, str):
        return None
    return value.encode("utf-8", "replace").decode("utf-8").replace("\x00", "")[:limit]


def clean_id(value):
    """A wamid as Meta sends it (a short printable string), else None."""
    if isinstance(value, str) and 0 < len(value) <= 128 and clean_text(value, 128) == value:
        return value
    return None


def timestamp(value, default):
    """Meta's Unix-seconds timestamp (a string) as an aware datetime; `default` when unreadable."""
    if isinstance(value, bool):
        return default
    try:
        seconds = int(value)
    except (TypeError, ValueError, OverflowError):
        return default
    if not 0 < seconds <= MAX_TIMESTAMP:
        return default
    return dt.datetime.fromtimestamp(seconds, dt.timezone.utc)


def objects_in(value):
    """The dict items of a list (anything else: none): Meta's shapes, read defensively."""
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def for_our_number(value, phone_number_id):
    """Is this change about our business number? (One Meta app may serve several numbers.)"""
    metadata = value.get("metadata")
    return not phone_number_id or (isinstance(metadata, dict) and metadata.get("phone_number_id") == phone_number_id)


def change_values(payload, phone_number_id=None):
    """Every `entry[].changes[].value` of a WhatsApp Business Account notification about our number."""
    if not isinstance(payload, dict) or payload.get("object") != "whatsapp_business_account":
        return []
    values = []
    for entry in objects_in(payload.get("entry")):
        for change in objects_in(entry.get("changes")):
            value = change.get("value")
            if change.get("field", "messages") == "messages" and isinstance(value, dict):
                if for_our_number(value, phone_number_id):
                    values.append(value)
                else:
                    log.info("webhook change for another phone number ignored")
    return values


def first_error(errors):
    """(code, text) of the first of a failed status's `errors` (code, title/message, error_data.details)."""
    for error in objects_in(errors):
        code = error.get("code")
        code = clean_text(str(code), 32) if isinstance(code, (int, str)) and not isinstance(code, bool) else None
        message = clean_text(error.get("message") or error.get("title"), 1000) or "failed"
        data = error.get("error_data")
        details = clean_text(data.get("details"), 1000) if isinstance(data, dict) else None
        if details and details != message:
            message = f"{message}: {details}"[:1000]
        return code, message
    return None, None


def parse_status(item, now):
    """A StatusEvent, or None for an entry we do not use (unknown status, bad id)."""
    wamid, status = clean_id(item.get("id")), item.get("status")
    if not wamid or status not in STATUSES:
        return None
    code, message = first_error(item.get("errors")) if status == "failed" else (None, None)
    return StatusEvent(wamid, status, timestamp(item.get("timestamp"), now), code, message)


def parse_answer(item, now):
    """An Answer from one of `value.messages`, or None if it is not a contact's answer."""
    wamid, sender, kind = clean_id(item.get("id")), item.get("from"), item.get("type")
    if not (wamid and isinstance(sender, str) and WA_ID.fullmatch(sender) and isinstance(kind, str)
            and kind in answers.KINDS):
        return None
    body = answers.answer_text(item, kind)
    return answers.Answer(wamid, "+" + sender, timestamp(item.get("timestamp"), now), kind,
                          clean_text(body, 4096))


def parse(payload, now, phone_number_id=None):
    """(statuses, answers) of a notification, skipping whatever is not understood or not ours."""
    statuses, incoming = [], []
    for value in change_values(payload, phone_number_id):
        statuses += [s for s in (parse_status(i, now) for i in objects_in(value.get("statuses"))) if s]
        incoming += [a for a in (parse_answer(i, now) for i in objects_in(value.get("messages"))) if a]
    return statuses, incoming


def handle(payload, raw):
    """Apply a notification (or, in a burst, store its `raw` body to apply it shortly); returns what it held and
    what changed (once committed: durable)."""
    now = utcnow()
    statuses, incoming = parse(payload, now, current_app.config.get("WHATSAPP_PHONE_NUMBER_ID"))
    notification = Notification(statuses, incoming)
    if not statuses and not incoming:
        return notification.summary()
    if batcher(current_app).enabled:
        return batcher(current_app).apply(notification, raw, now)
    # SQLite: one writer at a time anyway; applied in the request, as a group of one.
    return unit_of_work.run(lambda uow: ingest.apply([notification], utcnow(), uow))[0]
