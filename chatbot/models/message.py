"""Messages we send (step 1: a campaign's first message, step 2: its follow-up) and contacts' answers."""
from sqlalchemy import text

from chatbot.clock import utcnow
from chatbot.extensions import db
from chatbot.models.base import BigId, UTCDateTime, sql_in

MESSAGE_STATUSES = ("pending", "sent", "delivered", "read", "failed", "no_interaction")
# A first message in these statuses still waits for its contact's answer (answers, the hourly sweep).
AWAITING_ANSWER = ("sent", "delivered", "read")
STEPS = (1, 2)  # 1: a campaign's first message, 2: its follow-up
# A status only moves up this ladder ("read" then a late "delivered" stays "read").
# failed and no_interaction are final.
STATUS_RANK = {"pending": 0, "sent": 1, "delivered": 2, "read": 3, "failed": 4, "no_interaction": 4}

# The sweep's partial index: first messages still waiting for an answer.
SWEEP_PREDICATE = f"step = 1 AND {sql_in('status', AWAITING_ANSWER)}"
# A pending message whose attempt began: in flight, or (lease expired) in doubt, for `flask dispatch audit`.
IN_DOUBT_PREDICATE = "status = 'pending' AND send_started_at IS NOT NULL"


class Message(db.Model):
    """One outgoing WhatsApp message."""

    __tablename__ = "messages"

    id = db.Column(BigId, primary_key=True)
    campaign_id = db.Column(db.Integer, db.ForeignKey("campaigns.id", ondelete="CASCADE"), nullable=True)
    contact_id = db.Column(db.Integer, db.ForeignKey("contacts.id", ondelete="CASCADE"), nullable=False)
    step = db.Column(db.SmallInteger, nullable=False, default=1)
    status = db.Column(db.String(16), nullable=False, default="pending")
    body = db.Column(db.JSON, nullable=False)
    wamid = db.Column(db.String(128), nullable=True, unique=True)
    error_code = db.Column(db.String(32), nullable=True)
    error_message = db.Column(db.String(1000), nullable=True)
    attempts = db.Column(db.Integer, nullable=False, default=0, server_default="0")
    next_attempt_at = db.Column(UTCDateTime, nullable=True)
    # When the latest attempt began, committed before the HTTP call: a pending row that still has it after its
    # lease expired may have been sent (never re-sent by itself); kept once sent (the messaging limit's reach).
    send_started_at = db.Column(UTCDateTime, nullable=True)
    created_at = db.Column(UTCDateTime, nullable=False, default=utcnow)
    updated_at = db.Column(UTCDateTime, nullable=False, default=utcnow, onupdate=utcnow)
    sent_at = db.Column(UTCDateTime, nullable=True)
    delivered_at = db.Column(UTCDateTime, nullable=True)
    read_at = db.Column(UTCDateTime, nullable=True)
    failed_at = db.Column(UTCDateTime, nullable=True)
    # Set on a first message when its contact answers the campaign (drives interaction_count).
    interacted_at = db.Column(UTCDateTime, nullable=True)

    contact = db.relationship("Contact", lazy="raise")
    campaign = db.relationship("Campaign", lazy="raise")

    __table_args__ = (
        db.UniqueConstraint("campaign_id", "contact_id", "step", name="uq_messages_campaign_contact_step"),
        db.CheckConstraint(sql_in("step", STEPS), name="step"),
        db.CheckConstraint(sql_in("status", MESSAGE_STATUSES), name="status"),
        # Keyset pagination, newest first, optionally within a campaign or a contact.
        db.Index("ix_messages_created_at_id", "created_at", "id"),
        db.Index("ix_messages_campaign_id_created_at_id", "campaign_id", "created_at", "id"),
        db.Index("ix_messages_contact_id_created_at_id", "contact_id", "created_at", "id"),
        # The stats' GROUP BY status: an index-only scan of the smallest index there is (deduplicated keys).
        db.Index("ix_messages_status", "status"),
        # The list's status filter, keyset-paginated: without it a rare status walks the whole time index.
        db.Index("ix_messages_status_created_at_id", "status", "created_at", "id"),
        # The dispatcher's queue: only pending rows are indexed, so it stays tiny.
        db.Index("ix_messages_pending", "id", postgresql_where=text("status = 'pending'"),
                 sqlite_where=text("status = 'pending'")),
        # The hourly sweep: first messages still waiting for an answer, by age.
        db.Index("ix_messages_sweep", "sent_at", postgresql_where=text(SWEEP_PREDICATE),
                 sqlite_where=text(SWEEP_PREDICATE)),
        # The messaging limit: unique contacts whose first message went out in a moving 24 h (index-only).
        db.Index("ix_messages_reach", "send_started_at", "contact_id", "status", postgresql_where=text("step = 1"),
                 sqlite_where=text("step = 1")),
        # `flask dispatch audit`: attempts begun and never recorded.
        db.Index("ix_messages_in_doubt", "next_attempt_at", postgresql_where=text(IN_DOUBT_PREDICATE),
                 sqlite_where=text(IN_DOUBT_PREDICATE)),
    )


class Interaction(db.Model):
    """An incoming message or button press from a known contact, recorded once by its wamid."""

    __tablename__ = "interactions"

    id = db.Column(BigId, primary_key=True)
    contact_id = db.Column(db.Integer, db.ForeignKey("contacts.id", ondelete="CASCADE"), nullable=False)
    # The campaign first message it answers, if any.
    message_id = db.Column(BigId, db.ForeignKey("messages.id", ondelete="SET NULL"), nullable=True)
    campaign_id = db.Column(db.Integer, db.ForeignKey("campaigns.id", ondelete="SET NULL"), nullable=True)
    wamid = db.Column(db.String(128), nullable=False, unique=True)
    kind = db.Column(db.String(16), nullable=False)  # text, button, interactive
    body = db.Column(db.String(4096), nullable=True)
    occurred_at = db.Column(UTCDateTime, nullable=False)
    created_at = db.Column(UTCDateTime, nullable=False, default=utcnow)

    __table_args__ = (
        # "Has this contact answered since the first message was sent?" (sweep, interaction lookups)
        db.Index("ix_interactions_contact_id_occurred_at", "contact_id", "occurred_at"),
        db.Index("ix_interactions_message_id", "message_id"),
        # The answers inbox, newest first (keyset), all of them or one campaign's.
        db.Index("ix_interactions_occurred_at_id", "occurred_at", "id"),
        db.Index("ix_interactions_campaign_id_occurred_at_id", "campaign_id", "occurred_at", "id"),
    )
