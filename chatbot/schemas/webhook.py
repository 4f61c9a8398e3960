"""Meta's webhook notification (described, read leniently by the parser) and what we answer."""
from marshmallow import INCLUDE, Schema, fields


class WebhookNotification(Schema):
    """Meta's notification: {"object": "whatsapp_business_account", "entry": [{"id", "changes": [...]}]}.

    Described loosely on purpose: Meta adds fields, and the parser ignores what it does not know (any JSON is
    acknowledged, so the view does not load with it).
    """

    class Meta:
        unknown = INCLUDE

    object = fields.String(metadata={"example": "whatsapp_business_account"})
    entry = fields.List(fields.Dict())


class WebhookSummary(Schema):
    """What a notification held and what it changed."""

    statuses = fields.Integer(required=True, metadata={"description": "Statuses understood."})
    messages = fields.Integer(required=True, metadata={"description": "Contacts' answers understood."})
    changed = fields.Integer(required=True, metadata={"description": "Messages whose status moved up."})
    interactions = fields.Integer(required=True, metadata={"description": "New interactions recorded."})
    deferred = fields.Boolean(metadata={"description": "Present (true) when the notification arrived in a burst and "
                                        "was stored durably to be applied within seconds: `changed` and "
                                        "`interactions` are then 0, not known yet."})


webhook_summary_out = WebhookSummary()
