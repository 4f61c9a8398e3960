"""Dispatch: send the pending messages in batches, paced, each claimed by one dispatcher only.

A batch is claimed (`chatbot/messaging/claim.py`: leased, its attempts marked begun, within the messaging limit)
and handed, message by message, to the sender loop at DISPATCH_RATE_PER_SECOND (`Pacer`, on the injectable
clock), with at most DISPATCH_CONCURRENCY in flight. A send holds one HTTP request and nothing else (no database
connection): at Meta's ~0.2 s, 1,000 messages a second keep 200 open, all of them coroutines on one asyncio loop
(`chatbot/messaging/sender.py`, aiohttp in `chatbot/messaging/cloud_api.py`). Each answer goes to the outcome
writer (`chatbot/messaging/writer.py`), which commits the outcomes in batches of a few milliseconds (one UPDATE
for many messages) and counts them in their dispatch batch's `Flight`; a status webhook landing before its batch
committed is kept and applied by it (`chatbot/messaging/early.py`). The events of the writes are gathered in
the flight's `unit_of_work.Batch` and announced once per dispatch batch (cache, daily counters). A crash
between Meta's answer and that commit leaves the message marked begun: never re-sent by itself, listed by
`flask dispatch audit` ("may have been sent"). Meta pushing back (throughput, 5xx) stops the run: the rest of
the batch is given back for later.

A paused campaign's pending messages stay queued: the claim (and `has_due`) skip them. Each batch holds a pass of
the pause gate (`chatbot/messaging/gate.py`) from before its claim until it is settled, so that a pause, which
drains the gate after committing `paused`, answers only once no batch that could send them is in flight.
"""
import datetime as dt
import logging
import threading
import time
from collections import deque

from flask import current_app

from chatbot.clock import get_clock, utcnow
from chatbot.extensions import db
from chatbot.messaging import cloud_api
from chatbot.messaging.claim import claim, has_due, release  # noqa: F401 (has_due: the scheduler's probe)
from chatbot.messaging.gate import get_gate
from chatbot.messaging.outcomes import Outcome, retry_delay
from chatbot.messaging.sender import Sender
from chatbot.messaging.writer import Flight, OutcomeWriter

log = logging.getLogger(__name__)
# Outcomes that stop the run (the rest of the batch goes later): our number is throttled, or Meta is unwell.
# A pair rate refusal concerns one user only: the others go on.
STOPPING = ("retry", "throttled")


class Pacer:
    """Sends at `rate` a second, exactly: a schedule that does not drift, and never more than `rate` in a second.

    The k-th send is due at start + k/rate: a late wake-up (sleep's overshoot, a claim between batches) is made
    up by the next sends instead of shifting every later one (which would lose a few percent at 1,000/s). The
    catch-up is capped by a sliding window: a send waits until the one `rate` sends before it is a second old,
    so no one-second window ever holds more than `rate` sends (Meta counts per second). Idle for over a second
    (a run's start, an empty queue): the schedule starts afresh. Rate 0: no limit.
    """

    def __init__(self, rate, clock, sleep):
        self.interval = 1.0 / rate if rate and rate > 0 else 0.0
        self.clock = clock
        self.sleep = sleep
        self.next_at = None
        self.recent = deque(maxlen=max(1, int(rate))) if self.interval else None

    def wait(self):
        """Block until the next send may go."""
        if not self.interval:
            return
        now = self.clock.monotonic()
        if self.next_at is None or now - self.next_at > 1.0:
            self.next_at = now
        due = self.next_at
        if len(self.recent) == self.recent.maxlen:
            due = max(due, self.recent[0] + 1.0)
        if now < due:
            self.sleep(due - now)
            # When the send really goes (a sleep may overshoot); a frozen clock that the sleep did not move: due.
            now = max(due, self.clock.monotonic())
        self.recent.append(now)
        self.next_at += self.interval


class Dispatcher:
    """One dispatch run: sends handed to the sender loop at the paced rate, DISPATCH_CONCURRENCY in flight at most.

    Meta answers in ~0.1-0.5 s, so one send at a time could not reach 80/s. The next batch is claimed and
    fed while the previous one's last sends are still in flight; each batch is then settled: its outcomes
    committed (by the writer), its events announced once.
    """

    def __init__(self, app, sleep):
        self.app, self.config, self.clock = app, app.config, get_clock(app)
        self.pacer = Pacer(self.config["DISPATCH_RATE_PER_SECOND"], self.clock, sleep)
        self.slots = threading.BoundedSemaphore(max(1, self.config["DISPATCH_CONCURRENCY"]))
        self.stop = threading.Event()  # Meta is throttling or down: feed no more
        client = cloud_api.client_for(self.config, sleep)  # a misconfigured transport raises before any thread
        self.writer = OutcomeWriter(app)
        self.sender = Sender(client, self.finished)
        self.totals = {"sent": 0, "failed": 0}
        self.gate, self.passes = get_gate(), []  # the passes held by this run's batches (at most two)

    def finished(self, message, flight, result, error):
        """On the sender loop: a send's answer goes to the writer, and its slot to the next send."""
        try:
            if error is not None:
                flight.record([None], error)
                return
            if result.outcome in STOPPING:
                self.stop.set()  # do not hammer Meta with the rest of the batch
            self.writer.put(Outcome(message, result, self.clock.now()), flight)
        finally:
            self.slots.release()

    def feed(self, claimed):
        """Hand a claimed batch to the sender, paced; returns (its Flight, how many went, messages not sent)."""
        deadline = self.clock.monotonic() + self.config["DISPATCH_LEASE_SECONDS"] / 2
        flight = Flight()
        for index, message in enumerate(claimed):
            self.slots.acquire()  # a free slot first, then the pacer: sends start on the pacer's schedule
            if self.stop.is_set() or self.clock.monotonic() > deadline:
                self.slots.release()
                return flight, index, claimed[index:]
            self.pacer.wait()
            self.sender.submit(message, flight)
        return flight, len(claimed), []

    def settle(self, flight, count, unsent, gate_pass):
        """Wait for a batch's outcomes to commit, give back what was not tried, announce, then leave the gate."""
        try:
            with flight.announced:  # what committed is announced even if a send failed
                flight.wait(count)
                for status, number in flight.totals.items():
                    self.totals[status] += number
                if unsent:
                    later = utcnow() + dt.timedelta(seconds=retry_delay(self.config, 1)) if self.stop.is_set() else None
                    release(unsent, later)
        finally:
            self.leave(gate_pass)

    def leave(self, gate_pass):
        """Give back a pass of the pause gate (a waiting pause may then answer)."""
        self.passes.remove(gate_pass)
        gate_pass.leave()

    def admit(self, previous):
        """(a gate pass for the next claim, the batch still to settle or None).

        While a pause waits for the gate, a new pass would queue behind it, and the pause behind the batch in
        flight: that batch is settled first, and the pass taken after the pause.
        """
        gate_pass = self.gate.try_enter()
        if gate_pass is None:
            if previous:
                self.settle(*previous)
            previous, gate_pass = None, self.gate.enter()
        self.passes.append(gate_pass)
        return gate_pass, previous

    def next_batch(self, previous):
        """(claim and feed the next batch under a pass of its own, or None when the queue is empty, previous)."""
        gate_pass, previous = self.admit(previous)
        claimed = claim(self.config["DISPATCH_BATCH_SIZE"], self.config["DISPATCH_LEASE_SECONDS"])
        if not claimed:
            self.leave(gate_pass)
            return None, previous
        return (*self.feed(claimed), gate_pass), previous

    def run(self):
        """Claim, feed and settle batches until the queue is empty or Meta pushes back."""
        previous = None
        try:
            while not self.stop.is_set():
                current, previous = self.next_batch(previous)
                if current is None:
                    break
                if previous:
                    self.settle(*previous)
                previous = current
                if current[2]:  # messages left unsent: Meta pushed back, or the lease ran short
                    break
            if previous:
                self.settle(*previous)
        finally:
            self.sender.close()  # waits for the sends in flight
            self.writer.close()  # the outcomes of sends still in flight after a failure are written all the same
            for gate_pass in list(self.passes):  # after a failure: never keep a pause waiting
                self.leave(gate_pass)
            db.session.rollback()  # leave no transaction open on the caller's thread
        return self.totals


def run_once(sleep=None):
    """Send every due pending message now, batch after batch; returns {"sent": n, "failed": m}.

    Safe to call from several threads or processes at once: each batch is claimed by one caller.
    """
    app = current_app._get_current_object()
    totals = Dispatcher(app, sleep or app.config.get("DISPATCH_SLEEP") or time.sleep).run()
    if totals["sent"] or totals["failed"]:
        log.info("dispatch: %d sent, %d failed", totals["sent"], totals["failed"])
    return totals
