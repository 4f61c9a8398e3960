"""Key builders: the only place that spells a cache key (all under `cache:`)."""

STATS_NAMESPACE = "stats"
CATEGORIES_NAMESPACE = "categories"
NAMESPACES = (STATS_NAMESPACE, CATEGORIES_NAMESPACE)


def stats():
    """The global statistics (GET /api/messages/stats)."""
    return "stats:global"


def category_list():
    """The category list with counts (GET /api/categories)."""
    return "categories:list"


def category_detail(category_id):
    """One category with its count (GET /api/categories/<id>)."""
    return f"categories:detail:{int(category_id)}"


def generation(key):
    """Bumped by every invalidation of `key`: a reader stores only if it has not moved."""
    return f"{key}:gen"


def lock(key):
    """Held by the one process recomputing `key` after a miss."""
    return f"{key}:lock"
