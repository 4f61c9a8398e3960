"""The live stream's query string."""
from marshmallow import Schema, fields, validate


class EventsQuery(Schema):
    """`ticket` from POST /api/events/ticket; `last_event_id` for clients that cannot send Last-Event-ID."""

    ticket = fields.String(validate=validate.Length(max=512))
    last_event_id = fields.String(validate=validate.Length(max=64))


events_query = EventsQuery()
