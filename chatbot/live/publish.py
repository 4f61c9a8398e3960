"""The after-commit effect that tells every open dashboard what a write changed."""
import json
import logging

import redis
from flask import current_app

from chatbot.extensions import redis_store
from chatbot.redis_store import RedisUnavailable

log = logging.getLogger(__name__)


def _as_list(value):
    if isinstance(value, (list, tuple, set, frozenset)):
        return list(value)
    return [value]


def merge(changes, more):
    """Add `more` ({event: {param: [ids]}}) into `changes`: the union of what changed."""
    for name, params in more.items():
        target = changes.setdefault(name, {})
        for key, values in params.items():
            target[key] = sorted(set(target.get(key, [])) | set(values))
    return changes


def changes_of(events):
    """{event name: {param: sorted ids}} of a unit of work's events (ids only: counts stay server-side)."""
    changes = {}
    for event in events:
        params = {key: [v for v in _as_list(value) if isinstance(v, int)]
                  for key, value in event.params.items() if key != "counts"}
        merge(changes, {event.name: params})
    return changes


def publish(events):
    """One PUBLISH for the whole unit of work; Redis away or refusing: nothing (dashboards are told `degraded`).

    No sequence number: Pub/Sub loses messages only with the subscriber's connection, and the hub says
    `resync` whenever it has to reconnect.
    """
    changes = changes_of(events)
    if not changes:
        return
    payload = json.dumps(changes, separators=(",", ":"))
    try:
        redis_store.call(lambda r: r.publish(current_app.config["LIVE_CHANNEL"], payload))
    except (RedisUnavailable, redis.exceptions.RedisError) as exc:
        log.warning("live events not published: %s", exc.__class__.__name__)


def parse(message):
    """The changes of a message from the channel; None if it is not ours to read."""
    try:
        changes = json.loads(message)
    except (ValueError, TypeError):
        return None
    return changes if isinstance(changes, dict) else None
