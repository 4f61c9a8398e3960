"""Group commit of webhooks: the notifications of concurrent requests applied and committed together.

One transaction per notification made every webhook wait its turn on the campaign's counter row and pay a
commit (a WAL flush) of its own: some 75-250 notifications a second. Here a request hands its parsed
notification to the process's batcher and waits; the batcher's thread takes the first one waiting, gathers
what is queued behind it and, under load, what arrives within WEBHOOK_BATCH_WINDOW_MS (or until
WEBHOOK_BATCH_MAX), applies them all in ONE unit of
work (`chatbot/messaging/ingest.py`: the same set-based statements, one counter update per campaign) and
commits; only then is each request answered with its own summary: acknowledged means durable, as before.
While a group commits the next one gathers, so the groups grow with the load.

A group that fails (after the unit of work's deadlock retries) is applied again one notification at a time:
a notification that cannot be applied fails alone (its request answers non-2xx and Meta sends it again), its
group-mates are answered 200 once theirs commit. The after-commit effects (cache, daily counters, dashboards)
run once per group, before the answers: a read after the 200 sees the write, as the contract asks.

The thread starts with the first webhook and ends after IDLE_SECONDS without one (started again by the next):
an app that stops receiving holds no thread. Under gunicorn's gevent worker the thread, its queue and the
requests' futures are greenlets and patched primitives: a waiting request costs no OS thread.

Under a burst (from a group of WEBHOOK_DEFER_AT or more until no webhook came for LULL_SECONDS) a group is not
applied but stored as it came (`chatbot/messaging/intake.py`: one INSERT of raw bodies) and answered once that
commits; the thread applies the stored rows, WEBHOOK_DRAIN_MAX at a time, once the load eases (that lull), or
between groups once the oldest has waited WEBHOOK_DEFER_SECONDS. Not when the groups shrink: storing is quick,
so the groups of a burst being stored are small, and a drain there (some 80 ms for 500) stalled the answers.
"""
import logging
import queue
import threading
import time
from concurrent.futures import TimeoutError as FutureTimeout
from typing import NamedTuple

from sqlalchemy.engine import make_url

from chatbot import unit_of_work
from chatbot.clock import utcnow
from chatbot.messaging import ingest, intake
from chatbot.principals import on_nobodys_behalf

log = logging.getLogger(__name__)
IDLE_SECONDS = 2.0
# A request gives up after this (503: Meta retries; if its group commits later, the redelivery is a duplicate).
ANSWER_TIMEOUT_SECONDS = 20.0
# With stored notifications waiting: this long without a webhook and the load has eased (they are applied).
LULL_SECONDS = 0.05
LULL = object()  # what _next returns after such a lull


class Answer:
    """What a request waits on: its group's summary, or the group's exception (the part of a concurrent Future
    used here, on one Event: under gevent's patching a gevent Event, where a Future allocated a Condition and
    its locks per request: 4 % of a worker's CPU in a burst under py-spy)."""

    __slots__ = ("_event", "_result", "_exception")

    def __init__(self):
        self._event = threading.Event()  # looked up now: gevent's once the worker patched threading
        self._result = self._exception = None

    def done(self):
        return self._event.is_set()

    def set_result(self, result):
        self._result = result
        self._event.set()

    def set_exception(self, exception):
        self._exception = exception
        self._event.set()

    def result(self, timeout=None):
        """The summary; raises the group's exception, or FutureTimeout (concurrent.futures') after `timeout`."""
        if not self._event.wait(timeout):
            raise FutureTimeout()
        if self._exception is not None:
            raise self._exception
        return self._result


class Received(NamedTuple):
    """A parsed notification with what storing it takes: its raw body and its arrival time."""

    notification: ingest.Notification
    body: bytes
    at: object


class WebhookBatcher:
    """Gathers notifications from any request; a thread of its own commits them, group after group."""

    def __init__(self, app):
        self.app = app
        # PostgreSQL only: SQLite has one writer at a time anyway, and each webhook is applied in its request.
        self.enabled = make_url(app.config["SQLALCHEMY_DATABASE_URI"]).get_backend_name() == "postgresql"
        self.window = max(app.config["WEBHOOK_BATCH_WINDOW_MS"], 0) / 1000.0
        self.most = max(1, app.config["WEBHOOK_BATCH_MAX"])
        self.defer_at = max(0, app.config["WEBHOOK_DEFER_AT"])  # 0: never store, always apply
        self.defer_seconds = app.config["WEBHOOK_DEFER_SECONDS"]
        self.drain_max = max(1, app.config["WEBHOOK_DRAIN_MAX"])
        self.loaded = False  # storing groups instead of applying them
        self.stored_since = None  # monotonic time of the oldest group this process stored and has not drained
        self.just_drained = False
        self.queue = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._running = False
        self.last_size = 0

    def submit(self, received):
        """Queue a Received; its Answer holds the summary once its group committed."""
        future = Answer()
        with self._lock:  # the thread decides to stop under the same lock: nothing is left queued without it
            self.queue.put((received, future))
            if not self._running:
                self._running = True
                threading.Thread(target=self._loop, name="webhook-batcher", daemon=True).start()
        return future

    def apply(self, notification, body, at):
        """Submit and wait: the summary, or the group's exception."""
        return self.submit(Received(notification, body, at)).result(timeout=ANSWER_TIMEOUT_SECONDS)

    def _drain_due(self):
        """Stored groups to apply now: the load eased, or the oldest has waited long enough."""
        if self.stored_since is None:
            return False
        if not self.loaded and self.queue.empty():
            return True
        # A load that does not ease: a chunk between two groups, once the oldest stored group has waited enough.
        return not self.just_drained and time.monotonic() - self.stored_since >= self.defer_seconds

    def _drain(self):
        """Apply a chunk of the stored notifications; forget the backlog once a chunk comes back short."""
        self.just_drained = True
        try:
            applied = intake.drain(self.drain_max)
        except Exception:  # the database away: the scheduler's drain job takes over
            log.exception("stored webhooks not drained")
            applied = 0
        if applied < self.drain_max:
            self.stored_since = None

    def _next(self):
        """The first item waiting, or None once idle (the thread then stops)."""
        if self.loaded or self.stored_since is not None:
            try:
                return self.queue.get(timeout=LULL_SECONDS)
            except queue.Empty:
                self.loaded = False  # a lull: the load has eased, the stored groups go next
                return LULL
        try:
            return self.queue.get(timeout=IDLE_SECONDS)
        except queue.Empty:
            with self._lock:
                if self.queue.empty():
                    self._running = False
                    return None
            return self.queue.get()

    def _gather(self, first):
        """The first item, what is queued behind it, and what follows within the window (up to WEBHOOK_BATCH_MAX).

        The window is waited only under load (the previous group held more than one): a lone webhook is committed
        at once, as PostgreSQL's commit_delay waits only when other transactions are active.
        """
        window = self.window if self.last_size > 1 else 0.0
        items, deadline = [first], time.monotonic() + window
        while len(items) < self.most:
            try:
                items.append(self.queue.get(timeout=max(deadline - time.monotonic(), 0)))
            except queue.Empty:
                break
        self.last_size = len(items)
        if self.defer_at and len(items) >= self.defer_at:
            self.loaded = True  # until a lull (_next): storing makes the groups small, small groups are no sign
        return items

    def _loop(self):
        """Commit groups until idle."""
        with self.app.app_context():
            on_nobodys_behalf()  # Meta's data: no audit row, as for a webhook applied in its request
            while True:
                if self._drain_due():
                    self._drain()
                    continue
                if (first := self._next()) is None:
                    return
                if first is LULL:
                    continue
                items = self._gather(first)
                self.just_drained = False
                try:
                    self.commit(items)
                except Exception as exc:  # a bug here must not leave requests waiting on a dead thread
                    log.exception("webhook group not settled")
                    for _, future in items:
                        if not future.done():
                            future.set_exception(exc)

    def commit(self, items):
        """Apply (or, under load, store) and commit one group [(Received, future)]; settle every future."""
        if self.loaded:
            return self.store(items)
        events = unit_of_work.Batch()
        try:
            summaries = unit_of_work.run(lambda uow: ingest.apply([r.notification for r, _ in items], utcnow(), uow),
                                         batch=events)
        except Exception as exc:
            if len(items) > 1:  # one by one: whatever broke the group fails alone
                log.warning("webhook group of %d failed (%s): applied one by one", len(items), exc.__class__.__name__)
                for item in items:
                    self.commit([item])
            else:
                log.exception("webhook notification not applied")
                items[0][1].set_exception(exc)
            return
        _announce(events)
        for (_, future), summary in zip(items, summaries):
            future.set_result(summary)

    def store(self, items):
        """Store one group in the intake and commit; each request is answered as deferred."""
        try:
            intake.store([(received.body, received.at) for received, _ in items])
        except Exception as exc:  # the database away: every request answers its error (Meta sends it again)
            log.exception("webhook group not stored")
            for _, future in items:
                future.set_exception(exc)
            return
        if self.stored_since is None:
            self.stored_since = time.monotonic()
        for received, future in items:
            future.set_result(received.notification.summary(deferred=True))


def _announce(events):
    """The group's after-commit effects; their failure is logged, the group is committed all the same."""
    try:
        events.flush()
    except Exception:  # already logged per effect by unit_of_work.run_after_commit
        pass


def batcher(app):
    """This app's batcher (one per process: the app is built once per gunicorn worker, after the fork)."""
    return app.extensions["webhook_batcher"]
