"""Message queries and shapes: slim list rows, full detail."""
from marshmallow import Schema, fields, validate

from chatbot.models import MESSAGE_STATUSES
from chatbot.schemas.fields import Id, Integer, iso


class MessageQuery(Schema):
    """GET /api/messages query string."""

    campaign_id = Id()
    contact_id = Id()
    status = fields.String(validate=validate.OneOf(MESSAGE_STATUSES))
    step = Integer(validate=validate.OneOf((1, 2)))
    per_page = Integer(load_default=50, validate=validate.Range(min=1, max=200))
    cursor = fields.String(validate=validate.Length(max=200))


class DailyQuery(Schema):
    """GET /api/monitoring/daily query string."""

    days = Integer(load_default=7, validate=validate.Range(min=1, max=90))


def message_row(row):
    """A list row from a SQL row mapping: nothing more than the contract's slim shape.

    Plain function rather than a Schema: it runs 200 times per page and marshmallow adds nothing here.
    """
    return {"id": row["id"], "campaign_id": row["campaign_id"], "contact_id": row["contact_id"],
            "contact_name": row["contact_name"], "step": row["step"], "status": row["status"],
            "sent_at": iso(row["sent_at"]), "created_at": iso(row["created_at"])}


def message_detail(message, contact, campaign):
    """The row plus body, wamid, error, delivery times, contact and campaign."""
    data = message_row({**{c: getattr(message, c) for c in
                           ("id", "campaign_id", "contact_id", "step", "status", "sent_at", "created_at")},
                        "contact_name": contact.name})
    error = None
    if message.error_code or message.error_message:
        error = {"code": message.error_code, "message": message.error_message}
    data.update({
        "body": message.body, "wamid": message.wamid, "error": error,
        "delivered_at": iso(message.delivered_at), "read_at": iso(message.read_at),
        "contact": {"id": contact.id, "name": contact.name, "phone": contact.phone},
        "campaign": {"id": campaign.id, "name": campaign.name} if campaign else None,
    })
    return data


message_query = MessageQuery()
daily_query = DailyQuery()
