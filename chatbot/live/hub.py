"""One Redis subscriber per process, fanning the dashboard channel out to every open stream.

A stream costs a queue here, not a connection: the process holds one Pub/Sub connection however many
dashboards are open. The subscriber runs on its own thread (a greenlet under gevent) while any stream is
attached; it also samples the cache metrics every METRICS_SECONDS for them. Redis away: every stream is
told `degraded`, the subscriber retries with backoff, and when it is back every stream is told `resync`
(whatever was published meanwhile is lost to it), as it is when a message number is skipped.
"""
import logging
import queue
import threading
import time

import redis

from chatbot.live.publish import CHANNEL, parse

log = logging.getLogger(__name__)

METRICS_SECONDS = 2.0
POLL_SECONDS = 1.0       # how often the subscriber looks up from an idle channel
RETRY_SECONDS = (0.5, 1, 2, 5, 10)
QUEUE_SIZE = 256         # a stream that stops reading loses messages, then gets a resync


class Hub:
    """The process's subscriber and the queues of its open streams."""

    def __init__(self, app):
        self.app = app
        self.streams = set()
        self.state = "connecting"  # then live (subscribed) or degraded (Redis away)
        self._lock = threading.Lock()
        self._thread = None
        self._last_seq = None

    def attach(self):
        """A queue that receives every item from now on; starts the subscriber if needed."""
        subscription = queue.Queue(maxsize=QUEUE_SIZE)
        with self._lock:
            self.streams.add(subscription)
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="live-hub", daemon=True)
                self._thread.start()
        return subscription

    def detach(self, subscription):
        """Stop feeding this queue (its stream ended)."""
        with self._lock:
            self.streams.discard(subscription)

    def broadcast(self, item):
        """Give `item` to every open stream; a full queue (a stuck client) gets a resync instead."""
        with self._lock:
            streams = list(self.streams)
        for subscription in streams:
            try:
                subscription.put_nowait(item)
            except queue.Full:
                _drain(subscription)
                subscription.put_nowait(("resync", None))

    def _connect(self):
        """A client of its own: Pub/Sub holds its connection, and reads block for POLL_SECONDS at most."""
        config = self.app.config
        return redis.Redis.from_url(config["REDIS_URL"], socket_connect_timeout=config["REDIS_CONNECT_TIMEOUT"],
                                    socket_timeout=POLL_SECONDS + config["REDIS_SOCKET_TIMEOUT"])

    def _run(self):
        """Subscribe, relay, and come back after outages, as long as any stream is open."""
        failures = 0
        while True:
            with self._lock:  # decided under the lock attach() takes: no stream is left without a subscriber
                if not self.streams:
                    self._thread, self.state = None, "connecting"
                    return
            try:
                self._subscribe_and_relay()
                failures = 0
            except (redis.exceptions.RedisError, OSError) as exc:
                self._set_state("degraded")
                log.warning("live events: redis unavailable (%s)", exc.__class__.__name__)
                time.sleep(RETRY_SECONDS[min(failures, len(RETRY_SECONDS) - 1)])
                failures += 1

    def _subscribe_and_relay(self):
        """One subscription's life: returns when no stream is left, raises when Redis goes away."""
        client = self._connect()
        pubsub = client.pubsub(ignore_subscribe_messages=True)
        try:
            pubsub.subscribe(CHANNEL)
            if self._set_state("live"):
                self.broadcast(("resync", None))
            next_metrics = 0.0
            while self.streams:
                message = pubsub.get_message(timeout=POLL_SECONDS)
                if message is not None:
                    self._relay(message["data"])
                if time.monotonic() >= next_metrics:
                    next_metrics = time.monotonic() + METRICS_SECONDS
                    self._sample_metrics()
        finally:
            pubsub.close()
            client.close()

    def _relay(self, data):
        """A published event set to every stream; a skipped number means something was missed."""
        parsed = parse(data)
        if parsed is None:
            return
        seq, changes = parsed
        if self._last_seq is not None and seq > self._last_seq + 1:
            self.broadcast(("resync", seq))
        self._last_seq = seq
        self.broadcast(("changes", (seq, changes)))

    def _sample_metrics(self):
        """The cache metrics, once for all the process's streams."""
        from chatbot.cache import get_metrics
        try:
            snapshot = get_metrics(self.app).snapshot()
        except Exception:  # metrics are a nicety: never let them stop the relay
            log.exception("live events: cache metrics not sampled")
            return
        self.broadcast(("cache", snapshot))

    def close_all(self):
        """End every open stream of this process (shutdown, tests)."""
        self.broadcast(("close", None))

    def _set_state(self, state):
        """Record and announce `live` or `degraded`; True if this came back from degraded."""
        previous, self.state = self.state, state
        if previous != state:
            self.broadcast((state, None))
        return previous == "degraded" and state == "live"


def _drain(subscription):
    """Empty a queue without blocking."""
    try:
        while True:
            subscription.get_nowait()
    except queue.Empty:
        pass
