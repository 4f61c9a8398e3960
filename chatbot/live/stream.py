"""One dashboard's Server-Sent Events stream: coalesced event sets, cache metrics, heartbeats.

    retry: 3000                      reconnect advice (ms)
    event: resync                    refetch everything once (reconnect, a queue overflowed, Redis back)
    event: live | degraded           the stream's state: degraded = Redis away, refetch on your own
    id: 42 / event: changes          {"contact.created": {"contact_id": [7], "category_ids": [1]}, ...}
    event: cache                     the cache metrics (every 2 s)
    : ping                           a heartbeat every HEARTBEAT_SECONDS (Heroku closes a response idle 55 s)
"""
import json
import queue

from chatbot.clock import SystemClock
from chatbot.live.publish import merge

HEARTBEAT_SECONDS = 15.0
WINDOW_SECONDS = 0.25    # at most 4 event sets a second per dashboard
RETRY_MS = 3000
MAX_BLOCK_SECONDS = 1.0  # with a driven clock (tests), a blocking wait never outlasts this, so a move is noticed


def frame(event, data=None, event_id=None):
    """One SSE message."""
    lines = [f"id: {event_id}"] if event_id is not None else []
    lines.append(f"event: {event}")
    lines.append("data: " + json.dumps(data if data is not None else {}, separators=(",", ":")))
    return "\n".join(lines) + "\n\n"


class Coalescer:
    """Merges event sets so that at most one leaves per window; nothing leaves when nothing changed."""

    def __init__(self, clock, window=WINDOW_SECONDS):
        self.clock, self.window = clock, window
        self.pending, self.last_seq = {}, None
        self.sent_at = None

    def add(self, seq, changes):
        """Take an event set in."""
        merge(self.pending, changes)
        self.last_seq = seq

    def wait(self):
        """Seconds until the pending set may leave (0: now); None when nothing is pending."""
        if not self.pending:
            return None
        if self.sent_at is None:
            return 0.0
        return max(0.0, self.sent_at + self.window - self.clock.monotonic())

    def take(self):
        """(seq, merged set) if one may leave now, else None."""
        if self.wait() != 0.0:
            return None
        changes, self.pending = self.pending, {}
        self.sent_at = self.clock.monotonic()
        return self.last_seq, changes


class Stream:
    """The frames of one stream, read from a hub subscription."""

    def __init__(self, hub, subscription, clock, resync=False, still_valid=lambda: True,
                 heartbeat=HEARTBEAT_SECONDS):
        self.hub, self.subscription, self.clock = hub, subscription, clock
        self.coalescer = Coalescer(clock)
        self.resync, self.still_valid, self.heartbeat = resync, still_valid, heartbeat
        # The real clock cannot jump: an idle stream sleeps until its heartbeat instead of waking every second
        # (500 streams were 500 wake-ups a second, taken from the API's requests).
        self.max_block = None if isinstance(clock, SystemClock) else MAX_BLOCK_SECONDS

    def __iter__(self):
        try:
            yield f"retry: {RETRY_MS}\n\n"
            if self.resync:
                yield frame("resync")
            if self.hub.state != "connecting":  # else the hub says `live` once it has subscribed
                yield frame(self.hub.state)
            yield from self._relay()
        finally:
            self.hub.detach(self.subscription)

    def _relay(self):
        beat_at = self.clock.monotonic() + self.heartbeat
        while True:
            timeout = max(0.0, beat_at - self.clock.monotonic())
            pending = self.coalescer.wait()
            if pending is not None:
                timeout = min(timeout, pending)
            try:
                kind, data = self.subscription.get(timeout=min(timeout, self.max_block or timeout))
                if kind == "close":
                    return
                out = self._on(kind, data)
                if out:
                    yield out
            except queue.Empty:
                pass
            taken = self.coalescer.take()
            if taken:
                yield frame("changes", taken[1], taken[0])
            if self.clock.monotonic() >= beat_at:
                if not self.still_valid():
                    return  # the credential that opened the stream is gone: so is the stream
                yield ": ping\n\n"
                beat_at = self.clock.monotonic() + self.heartbeat

    def _on(self, kind, data):
        """The frame for an item from the hub (changes wait in the coalescer)."""
        if kind == "changes":
            self.coalescer.add(*data)
            return None
        if kind == "resync":
            self.coalescer.pending = {}
            return frame("resync")
        if kind == "cache":
            return frame("cache", data)
        return frame(kind)  # live, degraded
