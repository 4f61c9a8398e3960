"""Global statistics: one SQL statement over the maintained counts, served through the cache."""
from chatbot.cache import get_cache, keys
from chatbot.clock import utcnow
from chatbot.schemas.stats import stats_out
from chatbot.services.counts import read_stats


def compute_stats():
    """The stats from the database, now: the maintained counts (chatbot/services/counts.py), not a count of rows."""
    return stats_out.dump({**read_stats(), "generated_at": utcnow()})


def get_stats():
    """(stats, cache status)."""
    return get_cache().get_or_compute(keys.stats(), compute_stats)


def get_stats_json():
    """(the stats' JSON bytes, cache status): what GET /api/messages/stats serves as it is."""
    return get_cache().get_or_compute_json(keys.stats(), compute_stats)
