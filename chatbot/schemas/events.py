"""The live stream's query string."""
from marshmallow import Schema, fields, validate


class EventsQuery(Schema):
    """`ticket` from POST /api/events/ticket; `last_event_id` for clients that cannot send Last-Event-ID."""

    ticket = fields.String(validate=validate.Length(max=512))
    last_event_id = fields.String(validate=validate.Length(max=64))


events_query = EventsQuery()


class EventTicket(Schema):
    """A single-use ticket for GET /api/events."""

    ticket = fields.String(required=True, metadata={"description": "Signed; opens one stream, within expires_in."})
    expires_in = fields.Integer(required=True, metadata={"description": "Seconds the ticket stays valid."})


event_ticket_out = EventTicket()
