"""The outcome writer: one thread per dispatch run that commits the senders' outcomes in batches.

Senders hand each answer to `put` and go on to the next message at once (they hold no database connection:
200 of them may be waiting on Meta). The writer takes the first outcome waiting, gathers what else arrives
within DISPATCH_OUTCOME_WINDOW_MS (or until DISPATCH_OUTCOME_BATCH outcomes), and commits them all in one unit
of work (`chatbot/messaging/outcomes.py`): at 1,000 answers a second, a handful of transactions a second
instead of a thousand. Each outcome's future then holds its message's new status (or the write's exception:
the message stays marked begun, in doubt for `flask dispatch audit`, never re-sent by itself).
A short window keeps the gap between Meta's answer and the wamid's commit to milliseconds; a status webhook
landing in that gap is kept and applied by the batch (`chatbot/messaging/early.py`).
"""
import logging
import queue
import threading
import time
from concurrent.futures import Future

from chatbot.messaging import outcomes

log = logging.getLogger(__name__)
_CLOSE = object()


class OutcomeWriter:
    """Gathers outcomes from any thread; a thread of its own writes them, batch after batch."""

    def __init__(self, app):
        self.app = app
        self.window = max(app.config["DISPATCH_OUTCOME_WINDOW_MS"], 0) / 1000.0
        self.most = max(1, app.config["DISPATCH_OUTCOME_BATCH"])
        self.queue = queue.SimpleQueue()
        self.thread = threading.Thread(target=self._loop, name="dispatch-outcomes", daemon=True)
        self.thread.start()

    def put(self, outcome, batch):
        """Queue one outcome, its events to join `batch` (a unit_of_work.Batch); returns its status's Future."""
        future = Future()
        self.queue.put((outcome, batch, future))
        return future

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
                for outcome, batch, future in items:
                    groups.setdefault(id(batch), (batch, []))[1].append((outcome, future))
                for batch, group in groups.values():
                    self._write(group, batch)

    def _write(self, items, batch):
        """Commit one batch of outcomes and settle their futures."""
        try:
            statuses = outcomes.write([outcome for outcome, _ in items], self.app.config, batch)
        except Exception as exc:  # the attempts stay marked begun: in doubt, never re-sent blindly
            log.exception("dispatch: %d outcomes not recorded", len(items))
            for _, future in items:
                future.set_exception(exc)
            return
        for outcome, future in items:
            future.set_result(statuses.get(outcome.message.id))
