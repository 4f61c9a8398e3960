"""The global statistics."""
from marshmallow import Schema, fields

from chatbot.models import CAMPAIGN_STATUSES, MESSAGE_STATUSES
from chatbot.schemas.fields import UTC


def _counts(names, doc):
    """A Schema class with one required integer per name."""
    return Schema.from_dict({name: fields.Integer(required=True) for name in names}, name=doc)


TotalCount = _counts(("total",), "TotalCount")
ContactCounts = _counts(("total", "opted_out"), "ContactCounts")
MessageCounts = _counts(("total",) + MESSAGE_STATUSES, "MessageCounts")
CampaignCounts = _counts(("total",) + CAMPAIGN_STATUSES, "CampaignCounts")


class Stats(Schema):
    """GET /api/messages/stats."""

    contacts = fields.Nested(ContactCounts, required=True)
    messages = fields.Nested(MessageCounts, required=True)
    campaigns = fields.Nested(CampaignCounts, required=True)
    interactions = fields.Nested(TotalCount, required=True,
                                 metadata={"description": "Incoming messages and button presses, once each."})
    generated_at = UTC(required=True)


stats_out = Stats()
