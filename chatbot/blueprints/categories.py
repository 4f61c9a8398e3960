"""/api/categories"""
from flask import Blueprint

from chatbot.blueprints.common import cached, json_body
from chatbot.security.folded import limit_in_cache_read
from chatbot.schemas.category import category_in, category_patch
from chatbot.services import categories

bp = Blueprint("categories", __name__, url_prefix="/api/categories")


@bp.get("")
@limit_in_cache_read
def all():
    """Categories sorted by name, with counts (cached)."""
    return cached(categories.list_categories())


@bp.post("")
def new():
    """Create a category."""
    return categories.create_category(json_body(category_in)), 201


@bp.get("/<int:category_id>")
@limit_in_cache_read
def get(category_id):
    """One category (cached)."""
    return cached(categories.get_category(category_id))


@bp.patch("/<int:category_id>")
def patch(category_id):
    """Rename or describe a category."""
    return categories.update_category(category_id, json_body(category_patch))


@bp.delete("/<int:category_id>")
def delete(category_id):
    """Delete a category; its contacts remain."""
    categories.delete_category(category_id)
    return "", 204
