"""Cache entries a committed write could not drop because Redis was away (see chatbot/cache/durable.py)."""
from chatbot.clock import utcnow
from chatbot.extensions import db
from chatbot.models.base import BigId, UTCDateTime


class CacheInvalidation(db.Model):
    """One write's undelivered invalidation: its cache keys, kept until a process has dropped them in Redis."""

    __tablename__ = "cache_invalidations"

    id = db.Column(BigId, primary_key=True)
    keys = db.Column(db.JSON, nullable=False)  # ["stats:global", "categories:list", ...] without the prefix
    created_at = db.Column(UTCDateTime, nullable=False, default=utcnow)
