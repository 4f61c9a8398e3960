"""The after-commit effect that tells every open dashboard what a write changed."""
import json
import logging

from flask import current_app

from chatbot.extensions import redis_store
from chatbot.redis_store import RedisUnavailable

log = logging.getLogger(__name__)

CHANNEL = "events:dashboard"
SEQUENCE = "events:dashboard:seq"
# KEYS: sequence, channel. ARGV: payload. One round trip: number the message, then publish "<seq>|<payload>".
PUBLISH = """
local seq = redis.call('INCR', KEYS[1])
redis.call('PUBLISH', KEYS[2], seq .. '|' .. ARGV[1])
return seq
"""


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
    """One PUBLISH for the whole unit of work; Redis away: nothing (the dashboards are told `degraded`)."""
    changes = changes_of(events)
    if not changes:
        return
    payload = json.dumps(changes, separators=(",", ":"))
    script = current_app.extensions["live_publish_script"]
    try:
        redis_store.call(lambda r: script(keys=[SEQUENCE, CHANNEL], args=[payload], client=r))
    except RedisUnavailable:
        log.debug("live events not published: redis unavailable")


def parse(message):
    """(seq, changes) of a message from the channel; None if it is not ours to read."""
    try:
        seq, _, payload = message.decode().partition("|")
        return int(seq), json.loads(payload)
    except (ValueError, AttributeError):
        return None
