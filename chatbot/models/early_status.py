"""Statuses Meta sent for a wamid we did not know yet: kept briefly, applied when the send's outcome is written."""
from chatbot.clock import utcnow
from chatbot.extensions import db
from chatbot.models.base import BigId, UTCDateTime


class EarlyStatus(db.Model):
    """One status webhook entry that arrived before its message's wamid was committed (outcomes are batched)."""

    __tablename__ = "early_statuses"

    id = db.Column(BigId, primary_key=True)
    wamid = db.Column(db.String(128), nullable=False, index=True)
    status = db.Column(db.String(16), nullable=False)
    at = db.Column(UTCDateTime, nullable=False)
    error_code = db.Column(db.String(32), nullable=True)
    error_message = db.Column(db.String(1000), nullable=True)
    # Statuses of messages that are not ours (another tool on the same number) are dropped after a while.
    received_at = db.Column(UTCDateTime, nullable=False, default=utcnow, index=True)
