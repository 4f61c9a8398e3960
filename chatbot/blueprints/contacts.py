"""/api/contacts"""
from flask import Blueprint

from chatbot.blueprints.common import json_body, query_args
from chatbot.schemas.contact import contact_in, contact_patch, contact_query
from chatbot.services import contacts

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
