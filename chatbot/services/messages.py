"""Messages: a keyset-paginated list of slim rows, and one message in detail."""
import base64
import binascii
import datetime as dt
import json

from sqlalchemy import BigInteger, literal, select, tuple_

from chatbot.errors import NotFound, ValidationFailed
from chatbot.extensions import db
from chatbot.models import Campaign, Contact, Message
from chatbot.models.base import UTCDateTime
from chatbot.schemas.fields import MAX_BIG_ID

ROW_COLUMNS = (Message.id, Message.campaign_id, Message.contact_id, Contact.name.label("contact_name"),
               Message.step, Message.status, Message.sent_at, Message.created_at)


def encode_cursor(created_at, message_id):
    """Opaque cursor: the (created_at, id) of the last row, base64url JSON."""
    raw = json.dumps([created_at.isoformat(), message_id]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor):
    """(created_at, id), or 422 when the cursor was not made by us."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        created_at, message_id = json.loads(base64.urlsafe_b64decode(padded))
        created = dt.datetime.fromisoformat(created_at)
        if created.tzinfo is None or type(message_id) is not int or not 1 <= message_id <= MAX_BIG_ID:
            raise ValueError("bad cursor")
        # Converted here: a forged date at the edge of the calendar overflows now (422), not when bound (500).
        return created.astimezone(dt.timezone.utc), message_id
    except (ValueError, TypeError, OverflowError, binascii.Error, UnicodeDecodeError):
        raise ValidationFailed("invalid cursor", {"cursor": ["Invalid cursor."]}) from None


def newest_first(query, time_column, id_column, per_page, after=None):
    """`query` ordered newest first by (time, id), from after the cursor's (time, id), one row more than a page."""
    if after:
        at, row_id = after
        query = query.where(tuple_(time_column, id_column)
                            < tuple_(literal(at, UTCDateTime), literal(row_id, BigInteger)))
    return query.order_by(time_column.desc(), id_column.desc()).limit(per_page + 1)


def keyset_page(rows, per_page, time_key):
    """{"items", "next_cursor"} from a page's rows (one more than a page when another page follows)."""
    next_cursor = None
    if len(rows) > per_page:
        last = rows[per_page - 1]
        next_cursor = encode_cursor(last[time_key], last["id"])
    return {"items": rows[:per_page], "next_cursor": next_cursor}


def page_statement(per_page, after=None, **filters):
    """One page's one statement: slim columns and the contact's name, newest first, after (created_at, id).

    Every page is an index range read backwards, however deep: ix_messages_created_at_id, or with a filter
    the index leading with it and ending in (created_at, id) (campaign, contact, status). The step filter
    has none: either step holds a large share of the rows, so the time index finds a page quickly.
    """
    query = select(*ROW_COLUMNS).join(Contact, Contact.id == Message.contact_id)
    for name in ("campaign_id", "contact_id", "status", "step"):
        if filters.get(name) is not None:
            query = query.where(getattr(Message, name) == filters[name])
    return newest_first(query, Message.created_at, Message.id, per_page, after)


def list_messages(per_page=50, cursor=None, **filters):
    """Newest first; one statement joining the contact's name, no ORM objects loaded (rows for MessagePage)."""
    after = decode_cursor(cursor) if cursor else None
    rows = db.session.execute(page_statement(per_page, after, **filters)).mappings().all()
    return keyset_page(rows, per_page, "created_at")


def get_message(message_id):
    """(message, contact, campaign or None), loaded on purpose in one statement (for MessageDetail)."""
    row = db.session.execute(
        select(Message, Contact, Campaign).join(Contact, Contact.id == Message.contact_id)
        .outerjoin(Campaign, Campaign.id == Message.campaign_id).where(Message.id == message_id)).first()
    if row is None:
        raise NotFound(f"message {message_id} not found")
    return row
