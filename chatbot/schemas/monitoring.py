"""The daily counters: query and answer."""
from marshmallow import Schema, fields, validate

from chatbot.schemas.fields import Integer


class DailyQuery(Schema):
    """GET /api/monitoring/daily query string."""

    days = Integer(load_default=7, validate=validate.Range(min=1, max=90))


class DailyRow(Schema):
    """One UTC day of the monitoring counters."""

    date = fields.String(required=True, metadata={"format": "date", "example": "2026-01-15"})
    sent = fields.Integer(required=True)
    delivered = fields.Integer(required=True)
    read = fields.Integer(required=True)
    failed = fields.Integer(required=True)
    interactions = fields.Integer(required=True)
    no_interaction = fields.Integer(required=True)


class DailyList(Schema):
    """GET /api/monitoring/daily: oldest first."""

    items = fields.List(fields.Nested(DailyRow), required=True)


daily_query = DailyQuery()
daily_list_out = DailyList()
