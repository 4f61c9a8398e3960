"""Operator accounts: users with a role, their dashboard sessions and personal API tokens, and the audit log."""
from sqlalchemy import func

from chatbot.clock import utcnow
from chatbot.extensions import db
from chatbot.models.base import BigId, UTCDateTime, sql_in

ROLES = ("admin", "operator", "viewer")


class User(db.Model):
    """A person who logs in to the dashboard."""

    __tablename__ = "users"

    id = db.Column(db.Integer, primary_key=True)
    email = db.Column(db.String(254), nullable=False)
    password_hash = db.Column(db.String(255), nullable=False)
    role = db.Column(db.String(16), nullable=False)
    active = db.Column(db.Boolean, nullable=False, default=True, server_default=db.true())
    created_at = db.Column(UTCDateTime, nullable=False, default=utcnow)
    last_login_at = db.Column(UTCDateTime, nullable=True)

    __table_args__ = (
        # Ann@Example.com and ann@example.com are one person.
        db.Index("uq_users_email_lower", func.lower(email), unique=True),
        db.CheckConstraint(sql_in("role", ROLES), name="role"),
    )


class UserSession(db.Model):
    """A dashboard session: the cookie holds a random secret, the row its SHA-256 (a leaked table logs no one in)."""

    __tablename__ = "user_sessions"

    id = db.Column(db.Integer, primary_key=True)
    secret_hash = db.Column(db.String(64), nullable=False, unique=True)
    user_id = db.Column(db.Integer, db.ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True)
    created_at = db.Column(UTCDateTime, nullable=False, default=utcnow)
    expires_at = db.Column(UTCDateTime, nullable=False)


class ApiToken(db.Model):
    """A personal token for scripts: named, optionally expiring, revocable; stored as its SHA-256."""

    __tablename__ = "api_tokens"

    id = db.Column(db.Integer, primary_key=True)
    user_id = db.Column(db.Integer, db.ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True)
    name = db.Column(db.String(100), nullable=False)
    secret_hash = db.Column(db.String(64), nullable=False, unique=True)
    created_at = db.Column(UTCDateTime, nullable=False, default=utcnow)
    expires_at = db.Column(UTCDateTime, nullable=True)
    revoked_at = db.Column(UTCDateTime, nullable=True)


class AuditEntry(db.Model):
    """One write: who (user id and a label: email, token name, API_TOKEN, cli, system), what (its events), which ids."""

    __tablename__ = "audit_log"

    id = db.Column(BigId, primary_key=True)
    at = db.Column(UTCDateTime, nullable=False, default=utcnow)
    user_id = db.Column(db.Integer, db.ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    actor = db.Column(db.String(254), nullable=False)
    # The unit of work's event names, comma-separated in order ("campaign.launched").
    action = db.Column(db.String(500), nullable=False)
    ids = db.Column(db.JSON, nullable=False)
    # Set when the write concerns one campaign: its history (created, launched, paused) is one indexed read.
    campaign_id = db.Column(db.Integer, nullable=True)

    __table_args__ = (
        db.Index("ix_audit_log_user_id_id", "user_id", "id"),
        db.Index("ix_audit_log_campaign_id_id", "campaign_id", "id"),
    )
