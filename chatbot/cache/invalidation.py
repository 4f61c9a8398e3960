"""Which write drops which cache entries: the one table to read.

Writes declare events (`chatbot/events.py`) in their unit of work; after the commit (never before:
a reader could otherwise refill an entry from the old rows) the unit of work calls `invalidate_events`
with all of them, and every entry they name is dropped in one Redis round trip.
The dashboard's twin of this table, which query keys each event refreshes, is `frontend/src/api/events.ts`.

| event                 | drops                                                        |
|-----------------------|--------------------------------------------------------------|
| contact.created       | stats, category list, detail of each of its categories       |
| contact.updated       | stats, category list, details of old and new categories      |
| contact.deleted       | stats, category list, details of its categories              |
| category.created      | category list                                                |
| category.updated      | category list, its detail                                    |
| category.deleted      | category list, its detail                                    |
| campaign.created      | stats                                                        |
| campaign.updated      | nothing (a draft's fields are in no cached entry)            |
| campaign.deleted      | stats                                                        |
| campaign.launched     | stats                                                        |
| campaign.paused       | stats                                                        |
| campaign.resumed      | stats                                                        |
| campaign.completed    | stats                                                        |
| message.sent          | stats                                                        |
| message.status        | stats                                                        |
| interaction.recorded  | stats                                                        |
| sweep.completed       | stats                                                        |
| contacts.imported     | stats, category list, details of the categories it filled    |
| monitoring.counted    | nothing (the daily view reads Redis live)                    |
| data.seeded           | stats, category list, details of the categories it filled    |
| user.*, token.*,      | nothing (accounts are never cached: each request reads its    |
| session.*             | session or token, so that revocation is immediate)           |

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


def _category_list(**_):
    return [keys.category_list()]  # a new category has no detail entry yet (a 404 is never cached)


def _nothing(**_):
    return []


TABLE = {
    "contact.created": _contact,
    "contact.updated": _contact,
    "contact.deleted": _contact,
    "category.created": _category_list,
    "category.updated": _category,
    "category.deleted": _category,
    "campaign.created": _stats,
    "campaign.updated": _nothing,
    "campaign.deleted": _stats,
    "campaign.launched": _stats,
    "campaign.paused": _stats,
    "campaign.resumed": _stats,
    "campaign.completed": _stats,
    "message.sent": _stats,
    "message.status": _stats,
    "interaction.recorded": _stats,
    "sweep.completed": _stats,
    "contacts.imported": _contact,
    "monitoring.counted": _nothing,
    "data.seeded": _contact,
    **{name: _nothing for name in ("user.created", "user.updated", "user.deleted", "token.created", "token.revoked",
                                   "session.started", "session.ended")},
}


def keys_for(event, **params):
    """The exact keys `event` drops (KeyError for an event not in the table)."""
    return TABLE[event](**params)


def keys_for_events(events):
    """Every key a unit of work's events drop, each once, in a stable order."""
    collected = set()
    for event in events:
        collected.update(keys_for(event.name, **event.params))
    return sorted(collected)


def invalidate_events(events):
    """The after-commit effect: drop the entries of these committed events in one Redis round trip (none: no trip)."""
    cache_keys = keys_for_events(events)
    if cache_keys:
        get_cache().invalidate(cache_keys)
