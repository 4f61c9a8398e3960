"""Helpers shared by the services."""
from sqlalchemy import select

from chatbot.errors import NotFound, ValidationFailed
from chatbot.extensions import db
from chatbot.models import Category


def get_or_404(model, object_id, what=None):
    """The row with this primary key, or NotFound."""
    obj = db.session.get(model, object_id)
    if obj is None:
        raise NotFound(f"{what or model.__name__.lower()} {object_id} not found")
    return obj


def check_category_ids(category_ids, field="category_ids"):
    """422 naming the unknown ids when some of `category_ids` do not exist (one query)."""
    if not category_ids:
        return
    found = set(db.session.scalars(select(Category.id).where(Category.id.in_(category_ids))))
    unknown = [i for i in category_ids if i not in found]
    if unknown:
        raise ValidationFailed("unknown category id", {field: [f"Unknown category id: {i}." for i in unknown]})


def category_ids_of(link_table, owner_column, owner_ids):
    """{owner_id: [category ids]} from a link table (contact_categories, campaign_categories), one statement."""
    result = {owner_id: [] for owner_id in owner_ids}
    if owner_ids:
        owner = link_table.c[owner_column]
        rows = db.session.execute(select(owner, link_table.c.category_id)
                                  .where(owner.in_(owner_ids)).order_by(link_table.c.category_id))
        for owner_id, category_id in rows:
            result[owner_id].append(category_id)
    return result
