"""The answers inbox: its query and its rows."""
from marshmallow import Schema, fields, validate

from chatbot.schemas.fields import UTC, Id, Integer, PlainRows


class InteractionQuery(Schema):
    """GET /api/interactions query string."""

    campaign_id = Id()
    contact_id = Id()
    per_page = Integer(load_default=50, validate=validate.Range(min=1, max=200))
    cursor = fields.String(validate=validate.Length(max=200))


class InteractionRow(Schema):
    """One answer: who, to which campaign (null: none was waiting), what they wrote or tapped, when."""

    id = fields.Integer(required=True)
    contact_id = fields.Integer(required=True)
    contact_name = fields.String(required=True)
    campaign_id = fields.Integer(required=True, allow_none=True)
    kind = fields.String(required=True, metadata={"description": "text, button, interactive, image, ..."})
    body = fields.String(required=True, allow_none=True,
                         metadata={"description": "The text, the button's text, the reply's title or a caption."})
    occurred_at = UTC(required=True)


class InteractionPage(Schema):
    """GET /api/interactions: newest first, keyset pagination."""

    items = PlainRows(fields.Nested(InteractionRow), required=True)
    next_cursor = fields.String(required=True, allow_none=True,
                                metadata={"description": "Pass as `cursor` for the next page; null on the last."})


interaction_query = InteractionQuery()
interaction_page_out = InteractionPage()
