"""Category in and out."""
from marshmallow import Schema, fields, validate

from chatbot.schemas.fields import UTC, PlainRows, Trimmed


# `;` separates the categories of a contact in the CSV import and export: a name holding one could not come back.
NO_SEPARATOR = validate.Regexp(r"^[^;]*$", error="Must not contain ; (it separates categories in CSV files).")


class CategoryIn(Schema):
    """POST /api/categories."""

    name = Trimmed(required=True, validate=[validate.Length(min=1, max=100), NO_SEPARATOR])
    description = Trimmed(allow_none=True, load_default=None, validate=validate.Length(max=500))


class CategoryOut(Schema):
    """A category with its contact count (computed, never stored)."""

    id = fields.Integer()
    name = fields.String()
    description = fields.String(allow_none=True)
    contact_count = fields.Integer()
    created_at = UTC()
    updated_at = UTC()


class CategoryList(Schema):
    """GET /api/categories: its rows dumped by plain reads of CategoryOut's fields (PlainRows), same shape."""

    items = PlainRows(fields.Nested(CategoryOut), required=True)


category_in = CategoryIn()
category_patch = CategoryIn(partial=True)
category_out = CategoryOut()
category_list_out = CategoryList()
