"""Which write drops which cache entries: the one table to read.

Services call `invalidate(event, ...)` after their transaction commits (never before: a reader
could otherwise refill the entry from the old rows). Each event maps to the exact keys it drops.

| event                 | drops                                                        |
|-----------------------|--------------------------------------------------------------|
| contact.created       | stats, category list, detail of each of its categories       |
| contact.updated       | stats, category list, details of old and new categories      |
| contact.deleted       | stats, category list, details of its categories              |
| category.created      | category list                                                |
| category.updated      | category list, its detail                                    |
| category.deleted      | category list, its detail                                    |
| campaign.created      | stats                                                        |
| campaign.updated      | stats (launch, completion, counters)                         |
| message.sent          | stats (once per dispatch batch)                              |
| message.status        | stats (once per webhook request)                             |
| interaction.recorded  | stats (once per webhook request)                             |
| sweep.completed       | stats (once per sweep)                                       |

The monitoring view (GET /api/monitoring/daily) is not cached: it is read live from the
`monitoring:daily:*` hashes in one pipeline, as cheap as a cache hit, so nothing can be stale.
"""
from chatbot.cache import get_cache, keys


def _stats(**_):
    return [keys.stats()]


def _contact(category_ids=(), **_):
    return [keys.stats(), keys.category_list(), *map(keys.category_detail, category_ids)]


def _category(category_id=None, **_):
    return [keys.category_list()] + ([keys.category_detail(category_id)] if category_id else [])


TABLE = {
    "contact.created": _contact,
    "contact.updated": _contact,
    "contact.deleted": _contact,
    "category.created": _category,
    "category.updated": _category,
    "category.deleted": _category,
    "campaign.created": _stats,
    "campaign.updated": _stats,
    "message.sent": _stats,
    "message.status": _stats,
    "interaction.recorded": _stats,
    "sweep.completed": _stats,
}


def keys_for(event, **params):
    """The exact keys `event` drops (KeyError for an event not in the table)."""
    return TABLE[event](**params)


def invalidate(event, **params):
    """Drop the entries of `event` in one Redis round trip; call after commit."""
    get_cache().invalidate(keys_for(event, **params))


def invalidate_many(events):
    """Several events at once (e.g. a webhook with statuses and answers): still one round trip."""
    collected = []
    for event, params in events:
        collected += keys_for(event, **params)
    get_cache().invalidate(collected)
