"""/api/health and /api/cache/stats"""
from flask import Blueprint
from sqlalchemy import text

from chatbot.cache import get_metrics
from chatbot.extensions import db, redis_store
from chatbot.schemas.health import cache_metrics_out, health_out

bp = Blueprint("health", __name__, url_prefix="/api")


@bp.get("/health")
def health():
    """Database and Redis reachability; Redis down is degraded, not unhealthy."""
    db.session.execute(text("SELECT 1"))
    return health_out.dump({"status": "ok", "database": "ok",
                            "redis": "ok" if redis_store.ping() else "unavailable"})


@bp.get("/cache/stats")
def cache_stats():
    """Hits, misses, ratio, errors and latency across every process sharing the Redis."""
    return cache_metrics_out.dump(get_metrics().snapshot())
