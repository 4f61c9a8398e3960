"""Webhook notifications acknowledged under load and not applied yet (chatbot/messaging/intake.py)."""
from chatbot.extensions import db
from chatbot.models.base import BigId, UTCDateTime


class WebhookIntake(db.Model):
    """One notification as Meta sent it (its raw JSON body), stored durably before its 200; deleted once applied.

    `failed_at`/`error`: a row that could not be applied even alone (a bug, not Meta's data) is set aside with
    the reason, for an operator, instead of blocking the rows behind it.
    """

    __tablename__ = "webhook_intake"

    id = db.Column(BigId, primary_key=True)
    received_at = db.Column(UTCDateTime, nullable=False)
    body = db.Column(db.LargeBinary, nullable=False)  # the bytes Meta signed, whatever their encoding
    failed_at = db.Column(UTCDateTime, nullable=True)
    error = db.Column(db.String(1000), nullable=True)
