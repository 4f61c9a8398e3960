"""Categories group contacts; a campaign targets one or more of them."""
from sqlalchemy import func

from chatbot.clock import utcnow
from chatbot.extensions import db
from chatbot.models.base import UTCDateTime

contact_categories = db.Table(
    "contact_categories",
    db.Column("contact_id", db.Integer, db.ForeignKey("contacts.id", ondelete="CASCADE"), primary_key=True),
    db.Column("category_id", db.Integer, db.ForeignKey("categories.id", ondelete="CASCADE"), primary_key=True),
    # The primary key serves contact -> categories; this one serves category -> contacts (counts, launch).
    db.Index("ix_contact_categories_category_id_contact_id", "category_id", "contact_id"),
)


class Category(db.Model):
    """A named group of contacts."""

    __tablename__ = "categories"

    id = db.Column(db.Integer, primary_key=True)
    name = db.Column(db.String(100), nullable=False)
    description = db.Column(db.String(500), nullable=True)
    created_at = db.Column(UTCDateTime, nullable=False, default=utcnow)
    updated_at = db.Column(UTCDateTime, nullable=False, default=utcnow, onupdate=utcnow)

    __table_args__ = (
        # "Sales" and "sales" are the same category.
        db.Index("uq_categories_name_lower", func.lower(name), unique=True),
    )
