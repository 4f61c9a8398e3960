"""/api/contacts"""
from flask import Blueprint, Response, stream_with_context

from chatbot.blueprints.common import json_body, large_body, query_args, uploaded_file
from chatbot.schemas.contact import contact_in, contact_patch, contact_query
from chatbot.schemas.contact_import import export_query
from chatbot.services import contact_export, contact_import, contacts

bp = Blueprint("contacts", __name__, url_prefix="/api/contacts")


@bp.get("")
def all():
    """A page of contacts, filtered by category or search."""
    return contacts.list_contacts(**query_args(contact_query))


@bp.post("")
def new():
    """Create a contact."""
    return contacts.create_contact(json_body(contact_in)), 201


@bp.get("/<int:contact_id>")
def get(contact_id):
    """One contact."""
    return contacts.get_contact(contact_id)


@bp.patch("/<int:contact_id>")
def patch(contact_id):
    """Change a contact (category_ids replaces the set)."""
    return contacts.update_contact(contact_id, json_body(contact_patch))


@bp.delete("/<int:contact_id>")
def delete(contact_id):
    """Delete a contact, its messages and interactions."""
    contacts.delete_contact(contact_id)
    return "", 204


@bp.post("/import")
@large_body("IMPORT_MAX_BYTES")
def import_csv():
    """Create or update contacts from a CSV (text/csv body or multipart field `file`)."""
    return contact_import.import_contacts(uploaded_file("file"))


@bp.get("/export")
def export_csv():
    """Every contact (or one category's) as a streamed CSV."""
    args = query_args(export_query)
    contact_export.check_exportable(**args)
    return Response(stream_with_context(contact_export.export_csv(**args)), mimetype="text/csv",
                    headers={"Content-Disposition": "attachment; filename=contacts.csv",
                             "Cache-Control": "no-store", "X-Accel-Buffering": "no"})
