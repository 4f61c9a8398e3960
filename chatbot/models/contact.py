"""Contacts: people we message, identified by their E.164 phone number."""
from sqlalchemy import text

from chatbot.clock import utcnow
from chatbot.extensions import db
from chatbot.models.base import UTCDateTime
from chatbot.models.category import contact_categories


class Contact(db.Model):
    """A WhatsApp user in zero or more categories."""

    __tablename__ = "contacts"

    id = db.Column(db.Integer, primary_key=True)
    phone = db.Column(db.String(20), nullable=False, unique=True)
    name = db.Column(db.String(200), nullable=False)
    last_interaction_at = db.Column(UTCDateTime, nullable=True)
    # Set when the contact answered an opt-out keyword (or an operator said so): no message goes to them.
    opted_out_at = db.Column(UTCDateTime, nullable=True)
    created_at = db.Column(UTCDateTime, nullable=False, default=utcnow)
    updated_at = db.Column(UTCDateTime, nullable=False, default=utcnow, onupdate=utcnow)

    # Lists never walk this relationship row by row: they load ids in one statement.
    categories = db.relationship("Category", secondary=contact_categories, lazy="raise",
                                 passive_deletes=True)

    __table_args__ = (
        # The page order (newest first, id breaking ties) read straight from the index, no sort step.
        db.Index("ix_contacts_created_at_id", "created_at", "id"),
        # The few opted-out contacts, for the audience, launch and the opted_out filter: a partial index stays tiny.
        db.Index("ix_contacts_opted_out", "id", postgresql_where=text("opted_out_at IS NOT NULL"),
                 sqlite_where=text("opted_out_at IS NOT NULL")),
    )
