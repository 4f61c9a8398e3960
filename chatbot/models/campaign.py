"""Campaigns: a first message to every contact of some categories, a second one to those who answer."""
from chatbot.clock import utcnow
from chatbot.extensions import db
from chatbot.models.base import UTCDateTime, sql_in

CAMPAIGN_STATUSES = ("draft", "running", "paused", "completed")
# A paused campaign keeps its pending messages queued; the dispatcher skips them until it resumes.

campaign_categories = db.Table(
    "campaign_categories",
    db.Column("campaign_id", db.Integer, db.ForeignKey("campaigns.id", ondelete="CASCADE"), primary_key=True),
    db.Column("category_id", db.Integer, db.ForeignKey("categories.id", ondelete="CASCADE"), primary_key=True),
    db.Index("ix_campaign_categories_category_id", "category_id"),
)

# Counters over the campaign's first messages, kept in step with `messages` by the services.
COUNTER_COLUMNS = ("total_count", "sent_count", "delivered_count", "read_count",
                   "interaction_count", "no_interaction_count", "failed_count")


class Campaign(db.Model):
    """A campaign and its counters."""

    __tablename__ = "campaigns"

    id = db.Column(db.Integer, primary_key=True)
    name = db.Column(db.String(200), nullable=False)
    status = db.Column(db.String(16), nullable=False, default="draft", index=True)
    # {"text": ...} or {"template": ..., "language": ...}
    first_message = db.Column(db.JSON, nullable=False)
    second_message = db.Column(db.JSON, nullable=False)
    total_count = db.Column(db.Integer, nullable=False, default=0, server_default="0")
    sent_count = db.Column(db.Integer, nullable=False, default=0, server_default="0")
    delivered_count = db.Column(db.Integer, nullable=False, default=0, server_default="0")
    read_count = db.Column(db.Integer, nullable=False, default=0, server_default="0")
    interaction_count = db.Column(db.Integer, nullable=False, default=0, server_default="0")
    no_interaction_count = db.Column(db.Integer, nullable=False, default=0, server_default="0")
    failed_count = db.Column(db.Integer, nullable=False, default=0, server_default="0")
    created_at = db.Column(UTCDateTime, nullable=False, default=utcnow, index=True)
    updated_at = db.Column(UTCDateTime, nullable=False, default=utcnow, onupdate=utcnow)
    launched_at = db.Column(UTCDateTime, nullable=True)
    completed_at = db.Column(UTCDateTime, nullable=True)

    categories = db.relationship("Category", secondary=campaign_categories, lazy="raise",
                                 passive_deletes=True)

    __table_args__ = (
        db.CheckConstraint(sql_in("status", CAMPAIGN_STATUSES), name="status"),
    )
