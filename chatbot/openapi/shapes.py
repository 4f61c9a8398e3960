"""Marshmallow descriptions of the answers that chatbot/schemas shapes without a Schema class.

Documentation only: the views never load or dump with these. They describe what the services return
(message rows and details, stats, cache metrics, daily counters, envelopes) so that apispec can
write them into the OpenAPI description, where schemathesis checks every real answer against them.
"""
from marshmallow import INCLUDE, Schema, fields, validate

from chatbot.models import CAMPAIGN_STATUSES, MESSAGE_STATUSES
from chatbot.schemas.campaign import CampaignOut
from chatbot.schemas.category import CategoryOut
from chatbot.schemas.contact import ContactOut
from chatbot.schemas.fields import UTC

CACHE_STATUSES = ("HIT", "MISS", "BYPASS")


class ErrorBody(Schema):
    """The inside of every error answer."""

    code = fields.String(required=True, metadata={"example": "validation_error"})
    message = fields.String(required=True)
    details = fields.Dict(keys=fields.String(), required=True,
                          metadata={"description": "For 422: each field name mapped to its messages."})


class ErrorEnvelope(Schema):
    """{"error": {"code", "message", "details"}}."""

    error = fields.Nested(ErrorBody, required=True)


class Health(Schema):
    """GET /api/health."""

    status = fields.String(required=True, validate=validate.OneOf(["ok"]))
    database = fields.String(required=True, validate=validate.OneOf(["ok"]))
    redis = fields.String(required=True, validate=validate.OneOf(["ok", "unavailable"]))


class CategoryList(Schema):
    """GET /api/categories."""

    items = fields.List(fields.Nested(CategoryOut), required=True)


class ContactPage(Schema):
    """GET /api/contacts: one page and the total."""

    items = fields.List(fields.Nested(ContactOut), required=True)
    page = fields.Integer(required=True)
    per_page = fields.Integer(required=True)
    total = fields.Integer(required=True)


class CampaignList(Schema):
    """GET /api/campaigns."""

    items = fields.List(fields.Nested(CampaignOut), required=True)


class MessageRow(Schema):
    """One slim row of GET /api/messages (nothing more)."""

    id = fields.Integer(required=True)
    campaign_id = fields.Integer(required=True, allow_none=True)
    contact_id = fields.Integer(required=True)
    contact_name = fields.String(required=True)
    step = fields.Integer(required=True, validate=validate.OneOf([1, 2]))
    status = fields.String(required=True, validate=validate.OneOf(MESSAGE_STATUSES))
    sent_at = UTC(required=True, allow_none=True)
    created_at = UTC(required=True)


class MessagePage(Schema):
    """GET /api/messages: newest first, keyset pagination."""

    items = fields.List(fields.Nested(MessageRow), required=True)
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


def _counts(names, doc):
    """A Schema class with one required integer per name."""
    return Schema.from_dict({name: fields.Integer(required=True) for name in names}, name=doc)


TotalCount = _counts(("total",), "TotalCount")
MessageCounts = _counts(("total",) + MESSAGE_STATUSES, "MessageCounts")
CampaignCounts = _counts(("total",) + CAMPAIGN_STATUSES, "CampaignCounts")


class Stats(Schema):
    """GET /api/messages/stats."""

    contacts = fields.Nested(TotalCount, required=True)
    messages = fields.Nested(MessageCounts, required=True)
    campaigns = fields.Nested(CampaignCounts, required=True)
    interactions = fields.Nested(TotalCount, required=True,
                                 metadata={"description": "Incoming messages and button presses, once each."})
    generated_at = UTC(required=True)


class Latency(Schema):
    """Redis round trips in milliseconds (p50/p95: upper bound of the histogram bucket)."""

    avg = fields.Float(required=True)
    p50 = fields.Float(required=True)
    p95 = fields.Float(required=True)
    max = fields.Float(required=True)


class CacheMetrics(Schema):
    """GET /api/cache/stats: counted across every process sharing the Redis."""

    backend = fields.String(required=True)
    available = fields.Boolean(required=True)
    hits = fields.Integer(required=True)
    misses = fields.Integer(required=True)
    hit_ratio = fields.Float(required=True, validate=validate.Range(min=0, max=1))
    errors = fields.Integer(required=True)
    latency_ms = fields.Nested(Latency, required=True)
    since = fields.String(required=True, allow_none=True,
                          metadata={"description": "When counting started (ISO 8601 UTC); null before any."})


class DailyRow(Schema):
    """One UTC day of the monitoring counters."""

    date = fields.Date(required=True)
    sent = fields.Integer(required=True)
    delivered = fields.Integer(required=True)
    read = fields.Integer(required=True)
    failed = fields.Integer(required=True)
    interactions = fields.Integer(required=True)
    no_interaction = fields.Integer(required=True)


class DailyList(Schema):
    """GET /api/monitoring/daily: oldest first."""

    items = fields.List(fields.Nested(DailyRow), required=True)


class WebhookNotification(Schema):
    """Meta's notification: {"object": "whatsapp_business_account", "entry": [{"id", "changes": [...]}]}.

    Described loosely on purpose: Meta adds fields, and the parser ignores what it does not know.
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
