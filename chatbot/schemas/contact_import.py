"""Contact import and export: the import's answer, the export's query, the rules of one CSV row."""
from marshmallow import Schema, fields

from chatbot.schemas.category import CategoryIn
from chatbot.schemas.contact import ContactIn
from chatbot.schemas.fields import Id


class Rejected(Schema):
    """One row the import did not write, and why."""

    line = fields.Integer(required=True, metadata={"description": "The row's number, the header being 1."})
    phone = fields.String(required=True, metadata={"description": "The phone cell as sent (cut to 40 characters)."})
    error = fields.String(required=True)


class ImportResult(Schema):
    """POST /api/contacts/import: what the rows did."""

    created = fields.Integer(required=True)
    updated = fields.Integer(required=True, metadata={"description": "Known phones whose name changed or that "
                                                                     "joined a category."})
    unchanged = fields.Integer(required=True)
    rejected = fields.List(fields.Nested(Rejected), required=True)


class ExportQuery(Schema):
    """GET /api/contacts/export query string."""

    category_id = Id()


# A row is held to the rules of POST /api/contacts (its phone through the Phone field's normalize_phone, E.164;
# its name 1-200 characters) and each of its categories to those of POST /api/categories: the very fields, called
# one by one (a whole Schema.load per row costs twice as much, and 100,000 rows must import in seconds).
NAME = ContactIn().fields["name"]
CATEGORY_NAME = CategoryIn().fields["name"]

import_result_out = ImportResult()
export_query = ExportQuery()
