"""Health check and cache metrics."""
from marshmallow import Schema, fields, validate

CACHE_STATUSES = ("HIT", "MISS", "BYPASS")  # the X-Cache header


class Health(Schema):
    """GET /api/health."""

    status = fields.String(required=True, validate=validate.OneOf(["ok"]))
    database = fields.String(required=True, validate=validate.OneOf(["ok"]))
    redis = fields.String(required=True, validate=validate.OneOf(["ok", "unavailable"]))


class Latency(Schema):
    """Redis round trips in milliseconds (p50/p95: upper bound of the histogram bucket)."""

    avg = fields.Float(required=True)
    p50 = fields.Float(required=True)
    p95 = fields.Float(required=True)
    max = fields.Float(required=True)


class CacheMetrics(Schema):
    """GET /api/cache/stats: counted across every process sharing the Redis."""

    backend = fields.String(required=True)
    available = fields.Boolean(required=True)
    hits = fields.Integer(required=True)
    misses = fields.Integer(required=True)
    hit_ratio = fields.Float(required=True, validate=validate.Range(min=0, max=1))
    errors = fields.Integer(required=True)
    latency_ms = fields.Nested(Latency, required=True)
    since = fields.String(required=True, allow_none=True,
                          metadata={"description": "When counting started (ISO 8601 UTC); null before any."})


health_out = Health()
cache_metrics_out = CacheMetrics()
