"""Campaign in and out."""
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from chatbot.models import CAMPAIGN_STATUSES
from chatbot.schemas.fields import UTC, IdCsv, IdList, Trimmed

TEXT_MAX = 4096  # WhatsApp's limit for a text message body


class TextMessage(Schema):
    """{"text": "..."}"""

    text = Trimmed(required=True, validate=validate.Length(min=1, max=TEXT_MAX))


class FirstMessage(Schema):
    """{"text"} or {"template", "language"}: a campaign's opener may be a pre-approved template."""

    text = Trimmed(validate=validate.Length(min=1, max=TEXT_MAX))
    template = Trimmed(validate=validate.Length(min=1, max=512))
    language = Trimmed(validate=validate.Regexp(r"^[a-z]{2,3}(_[A-Z]{2})?$"))

    @validates_schema
    def one_kind(self, data, **kwargs):
        """Exactly one of text or template (with its language)."""
        if "text" in data and ("template" in data or "language" in data):
            raise ValidationError("Give either text, or template and language, not both.")
        if "text" not in data and not ("template" in data and "language" in data):
            raise ValidationError("Give either text, or template and language.")


class CampaignIn(Schema):
    """POST /api/campaigns."""

    name = Trimmed(required=True, validate=validate.Length(min=1, max=200))
    category_ids = IdList(required=True, validate=validate.Length(min=1))
    first_message = fields.Nested(FirstMessage, required=True)
    second_message = fields.Nested(TextMessage, required=True)


class AudienceQuery(Schema):
    """GET /api/campaigns/audience query string."""

    category_ids = IdCsv(required=True, metadata={"example": "1,2",
                                                  "description": "Category ids separated by commas (1 to 1000)."})


class Audience(Schema):
    """GET /api/campaigns/audience: who a launch would queue now, and the opted-out contacts it leaves out."""

    contacts = fields.Integer(required=True)
    opted_out = fields.Integer(required=True)


class TimelineQuery(Schema):
    """GET /api/campaigns/<id>/timeline query string."""

    bucket = fields.String(load_default="hour", validate=validate.OneOf(("hour", "day")))


class TimelineRow(Schema):
    """One bucket: what happened to the campaign's first messages in that hour or day."""

    at = UTC(required=True)
    sent = fields.Integer(required=True)
    delivered = fields.Integer(required=True)
    read = fields.Integer(required=True)
    interactions = fields.Integer(required=True)
    failed = fields.Integer(required=True)


class Timeline(Schema):
    """GET /api/campaigns/<id>/timeline: buckets oldest first, empty ones left out."""

    items = fields.List(fields.Nested(TimelineRow), required=True)


class CampaignOut(Schema):
    """A campaign with its counters."""

    id = fields.Integer()
    name = fields.String()
    status = fields.String(validate=validate.OneOf(CAMPAIGN_STATUSES))
    category_ids = fields.List(fields.Integer())
    first_message = fields.Dict()
    second_message = fields.Dict()
    total_count = fields.Integer()
    sent_count = fields.Integer()
    delivered_count = fields.Integer()
    read_count = fields.Integer()
    interaction_count = fields.Integer()
    no_interaction_count = fields.Integer()
    failed_count = fields.Integer()
    created_at = UTC()
    launched_at = UTC(allow_none=True)
    completed_at = UTC(allow_none=True)


class HistoryEntry(Schema):
    """Who created, edited, launched, paused or resumed a campaign, and when (from the audit log)."""

    action = fields.String(required=True, metadata={"example": "campaign.launched"})
    actor = fields.String(required=True, metadata={"description": "Email, token name, API_TOKEN, cli or system."})
    at = UTC(required=True)


class CampaignHistory(Schema):
    """GET /api/campaigns/<id>/history: oldest first."""

    items = fields.List(fields.Nested(HistoryEntry), required=True)


class CampaignList(Schema):
    """GET /api/campaigns."""

    items = fields.List(fields.Nested(CampaignOut), required=True)


campaign_in = CampaignIn()
# PATCH: any of the POST fields, each validated as in POST. A tuple, not partial=True: True would reach into
# the nested messages too and accept {"second_message": {}}.
campaign_patch = CampaignIn(partial=("name", "category_ids", "first_message", "second_message"))
audience_query = AudienceQuery()
audience_out = Audience()
campaign_history_out = CampaignHistory()
timeline_query = TimelineQuery()
timeline_out = Timeline()
campaign_out = CampaignOut()
campaign_list_out = CampaignList()
