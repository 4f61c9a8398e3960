"""Helpers of the cache tests: fill every cached entry, list which are present."""
from chatbot.cache import keys

PREFIX = "cache:"


def value_keys(category_ids):
    """The cache entries (values, not bookkeeping) the API can hold for these categories."""
    return {keys.stats(), keys.category_list(), *(keys.category_detail(i) for i in category_ids)}


def fill(client, category_ids):
    """GET every cached endpoint once so that each entry is in Redis."""
    for path in ["/api/messages/stats", "/api/categories", *(f"/api/categories/{i}" for i in category_ids)]:
        response = client.get(path)
        assert response.status_code == 200, (path, response.get_json())


def present(redis_client, category_ids):
    """Which of the entries are in Redis now."""
    candidates = sorted(value_keys(category_ids))
    found = redis_client.exists  # one EXISTS per key keeps the assertion readable
    return {key for key in candidates if found(PREFIX + key)}
