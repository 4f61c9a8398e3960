"""Contact in and out, and the contacts page query."""
from marshmallow import Schema, fields, validate

from chatbot.schemas.fields import UTC, Bool, Id, IdList, Integer, Phone, QueryBool, Trimmed


class ContactIn(Schema):
    """POST /api/contacts."""

    phone = Phone(required=True)
    name = Trimmed(required=True, validate=validate.Length(min=1, max=200))
    category_ids = IdList(load_default=list)


class ContactPatch(Schema):
    """PATCH /api/contacts/<id>: category_ids replaces the set."""

    phone = Phone()
    name = Trimmed(validate=validate.Length(min=1, max=200))
    category_ids = IdList()
    opted_out = Bool(metadata={
        "description": "true: no message goes to the contact any more (kept if already set); false: opted back in."})


class ContactQuery(Schema):
    """GET /api/contacts query string."""

    category_id = Id()
    search = Trimmed(validate=validate.Length(max=200))
    opted_out = QueryBool()
    page = Integer(load_default=1, validate=validate.Range(min=1, max=1_000_000))
    per_page = Integer(load_default=50, validate=validate.Range(min=1, max=200))


class ContactOut(Schema):
    """A contact and the ids of its categories."""

    id = fields.Integer()
    phone = fields.String()
    name = fields.String()
    category_ids = fields.List(fields.Integer())
    last_interaction_at = UTC(allow_none=True)
    opted_out_at = UTC(allow_none=True)
    created_at = UTC()
    updated_at = UTC()


class ContactPage(Schema):
    """GET /api/contacts: one page and the total."""

    items = fields.List(fields.Nested(ContactOut), required=True)
    page = fields.Integer(required=True)
    per_page = fields.Integer(required=True)
    total = fields.Integer(required=True)


contact_in = ContactIn()
contact_patch = ContactPatch()
contact_query = ContactQuery()
contact_out = ContactOut()
contact_page_out = ContactPage()
