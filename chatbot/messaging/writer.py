"""The outcome writer: one thread per dispatch run that commits the senders' outcomes in batches.

Senders hand each answer to `put` and go on to the next message at once (they hold no database connection:
200 of them may be waiting on Meta). The writer takes the first outcome waiting, gathers what else arrives
within DISPATCH_OUTCOME_WINDOW_MS (or until DISPATCH_OUTCOME_BATCH outcomes), and commits them all in one unit
of work (`chatbot/messaging/outcomes.py`): at 1,000 answers a second, a handful of transactions a second
instead of a thousand. Each outcome's dispatch batch (its `Flight`) then counts its message's new status (or the
write's exception: the message stays marked begun, in doubt for `flask dispatch audit`, never re-sent by itself):
one counter per dispatch batch, not a Future and its lock per message.
A short window keeps the gap between Meta's answer and the wamid's commit to milliseconds; a status webhook
landing in that gap is kept and applied by the batch (`chatbot/messaging/early.py`).
"""
import logging
import queue
import threading
import time

from chatbot.messaging import outcomes
from chatbot.unit_of_work import Batch

log = logging.getLogger(__name__)
_CLOSE = object()


class Flight:
    """A dispatch batch's sends from their hand-over to the commit of their outcomes: what each became.

    `announced` gathers the events of its outcome writes (announced once, when it is settled); `wait` returns
    when `count` outcomes were settled, written or not, and raises the first error met.
    """

    def __init__(self):
        self.announced = Batch()
        self.totals = {"sent": 0, "failed": 0}
        self.settled = 0
        self.error = None
        self.changed = threading.Condition()

    def record(self, statuses, error=None):
        """Settle outcomes: their new statuses (None: unchanged), or the error that kept them from the database."""
        with self.changed:
            for status in statuses:
                if status in self.totals:
                    self.totals[status] += 1
            self.settled += len(statuses)
            self.error = self.error or error
            self.changed.notify_all()

    def wait(self, count):
        """Block until `count` outcomes are settled; raise the first error met."""
        with self.changed:
            self.changed.wait_for(lambda: self.settled >= count)
        if self.error is not None:
            raise self.error


class OutcomeWriter:
    """Gathers outcomes from any thread; a thread of its own writes them, batch after batch."""

    def __init__(self, app):
        self.app = app
        self.window = max(app.config["DISPATCH_OUTCOME_WINDOW_MS"], 0) / 1000.0
        self.most = max(1, app.config["DISPATCH_OUTCOME_BATCH"])
        self.queue = queue.SimpleQueue()
        self.thread = threading.Thread(target=self._loop, name="dispatch-outcomes", daemon=True)
        self.thread.start()

    def put(self, outcome, flight):
        """Queue one outcome of the dispatch batch `flight` (any thread)."""
        self.queue.put((outcome, flight))

    def close(self):
        """Write what is queued, then stop the thread."""
        self.queue.put(_CLOSE)
        self.thread.join()

    def _gather(self, first):
        """The first item and what follows within the window (up to the batch size); (items, closing)."""
        items, deadline = [first], time.monotonic() + self.window
        while len(items) < self.most:
            try:
                item = self.queue.get(timeout=max(deadline - time.monotonic(), 0))
            except queue.Empty:
                break
            if item is _CLOSE:
                return items, True
            items.append(item)
        return items, False

    def _loop(self):
        """Write batches until closed (what was queued before the close is written too)."""
        closing = False
        with self.app.app_context():
            while not closing:
                item = self.queue.get()
                if item is _CLOSE:
                    break
                items, closing = self._gather(item)
                groups = {}  # a dispatch batch's events are announced with it: one write per dispatch batch
                for outcome, flight in items:
                    groups.setdefault(id(flight), (flight, []))[1].append(outcome)
                for flight, group in groups.values():
                    self._write(group, flight)

    def _write(self, group, flight):
        """Commit one batch of outcomes and settle them in their flight."""
        try:
            statuses = outcomes.write(group, self.app.config, flight.announced)
        except Exception as exc:  # the attempts stay marked begun: in doubt, never re-sent blindly
            log.exception("dispatch: %d outcomes not recorded", len(group))
            flight.record([None] * len(group), exc)
            return
        flight.record([statuses.get(outcome.message.id) for outcome in group])
