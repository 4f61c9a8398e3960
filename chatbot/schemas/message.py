"""Messages: the list's query, its slim rows, one message in detail."""
from marshmallow import Schema, fields, pre_dump, validate

from chatbot.models import MESSAGE_STATUSES, STEPS
from chatbot.schemas.fields import UTC, Id, Integer, PlainRows


class MessageQuery(Schema):
    """GET /api/messages query string."""

    campaign_id = Id()
    contact_id = Id()
    status = fields.String(validate=validate.OneOf(MESSAGE_STATUSES))
    step = Integer(validate=validate.OneOf(STEPS))
    per_page = Integer(load_default=50, validate=validate.Range(min=1, max=200))
    cursor = fields.String(validate=validate.Length(max=200))


class MessageRow(Schema):
    """One slim row of GET /api/messages (nothing more); dumped from the list's SQL row mappings."""

    id = fields.Integer(required=True)
    campaign_id = fields.Integer(required=True, allow_none=True)
    contact_id = fields.Integer(required=True)
    contact_name = fields.String(required=True)
    step = fields.Integer(required=True, validate=validate.OneOf(STEPS))
    status = fields.String(required=True, validate=validate.OneOf(MESSAGE_STATUSES))
    sent_at = UTC(required=True, allow_none=True)
    created_at = UTC(required=True)


class MessagePage(Schema):
    """GET /api/messages: newest first, keyset pagination."""

    items = PlainRows(fields.Nested(MessageRow), required=True)
    next_cursor = fields.String(required=True, allow_none=True,
                                metadata={"description": "Pass as `cursor` for the next page; null on the last."})


class MessageError(Schema):
    """Why a message failed (Meta's error code and text)."""

    code = fields.String(required=True, allow_none=True)
    message = fields.String(required=True, allow_none=True)


class ContactRef(Schema):
    """The contact of a message."""

    id = fields.Integer(required=True)
    name = fields.String(required=True)
    phone = fields.String(required=True)


class CampaignRef(Schema):
    """The campaign of a message."""

    id = fields.Integer(required=True)
    name = fields.String(required=True)


class MessageDetail(MessageRow):
    """GET /api/messages/{id}: the row plus body, wamid, error, delivery times, contact and campaign."""

    body = fields.Dict(required=True, metadata={"description": '{"text"} or {"template", "language"}'})
    wamid = fields.String(required=True, allow_none=True)
    error = fields.Nested(MessageError, required=True, allow_none=True)
    delivered_at = UTC(required=True, allow_none=True)
    read_at = UTC(required=True, allow_none=True)
    contact = fields.Nested(ContactRef, required=True)
    campaign = fields.Nested(CampaignRef, required=True, allow_none=True)

    @pre_dump
    def from_row(self, row, **kwargs):
        """(message, contact, campaign or None), as the service loads them in one statement, to this shape."""
        message, contact, campaign = row
        error = None
        if message.error_code or message.error_message:
            error = {"code": message.error_code, "message": message.error_message}
        columns = ("id", "campaign_id", "contact_id", "step", "status", "body", "wamid", "sent_at", "created_at",
                   "delivered_at", "read_at")
        return {**{c: getattr(message, c) for c in columns}, "contact_name": contact.name, "error": error,
                "contact": contact, "campaign": campaign}


message_query = MessageQuery()
message_page_out = MessagePage()
message_detail_out = MessageDetail()
