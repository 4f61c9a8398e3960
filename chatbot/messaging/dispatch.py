"""Dispatch: send the pending messages in batches, paced, each claimed by one dispatcher only.

A batch is claimed in one short transaction: SELECT ... FOR UPDATE SKIP LOCKED (PostgreSQL) picks due
pending rows no other dispatcher holds, and the same transaction leases them (`next_attempt_at` = now +
DISPATCH_LEASE_SECONDS, `attempts` + 1), so after the commit no other dispatcher selects them either.
The batch is fed to DISPATCH_CONCURRENCY senders at DISPATCH_RATE_PER_SECOND (a pacer on the injectable
clock). Each send's outcome is committed at once with its counter increments (its own unit of work): a
status webhook that arrives right after Meta's answer finds the wamid; the events of a batch's sends are
gathered in a `unit_of_work.Batch` and announced once (cache, daily counters). A crash between Meta's
answer and that commit is the only way a message can go out twice (after the lease expires): the Cloud
API has no idempotency key.

A paused campaign's pending messages stay queued: the claim (and `has_due`) skip them. Each batch holds a pass of
the pause gate (`chatbot/messaging/gate.py`) from before its claim until it is settled, so that a pause, which
drains the gate after committing `paused`, answers only once no batch that could send them is in flight.
"""
import dataclasses
import datetime as dt
import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor

from flask import current_app
from sqlalchemy import exists, or_, select, update

from chatbot.clock import get_clock, utcnow
from chatbot.extensions import db
from chatbot.messaging import cloud_api, optouts
from chatbot.messaging.gate import get_gate
from chatbot.messaging.counters import Tally
from chatbot.messaging.transitions import advance, pending_state
from chatbot.models import Campaign, Contact, Message
from chatbot.sql import write_lock
from chatbot.unit_of_work import Batch, writing

log = logging.getLogger(__name__)


class Pacer:
    """A token bucket holding one token: sends are spaced 1/rate seconds apart (rate 0: no limit)."""

    def __init__(self, rate, clock, sleep):
        self.interval = 1.0 / rate if rate and rate > 0 else 0.0
        self.clock = clock
        self.sleep = sleep
        self.next_at = None

    def wait(self):
        """Block until the next send may go."""
        if not self.interval:
            return
        now = self.clock.monotonic()
        if self.next_at is not None and now < self.next_at:
            self.sleep(self.next_at - now)
            now = self.next_at  # trust the sleep (a frozen test clock only moves when told)
        self.next_at = max(now, self.next_at or now) + self.interval


@dataclasses.dataclass(frozen=True)
class Claimed:
    """A leased message and what sending it needs."""

    id: int
    campaign_id: int
    step: int
    body: dict
    attempts: int
    phone: str


def not_paused():
    """The message's campaign (if any) is not paused: its pending messages wait for the resume."""
    return ~exists().where(Campaign.id == Message.campaign_id, Campaign.status == "paused")


def has_due():
    """Is any pending message due? One indexed probe (ix_messages_pending), no lock, no Redis.

    The scheduler asks this before taking `lock:dispatch`, so an idle dyno costs Redis nothing
    every DISPATCH_INTERVAL_SECONDS (Upstash bills per command).
    """
    now = utcnow()
    due = or_(Message.next_attempt_at.is_(None), Message.next_attempt_at <= now)
    found = db.session.scalar(select(Message.id).where(Message.status == "pending", due, not_paused())
                              .limit(1)) is not None
    db.session.rollback()  # end the read transaction: the job thread keeps its session between runs
    return found


def _fail_opted_out(rows, now, uow):
    """Fail (not lease) the claimed rows whose contact opted out; returns the others."""
    opted_out = [r.id for r in rows if r.opted_out_at is not None]
    if opted_out:
        tally = Tally()
        optouts.fail_messages(Message.id.in_(opted_out), tally, now, "message.sent")
        tally.apply_counters()
        tally.emit(uow)
    return [r for r in rows if r.opted_out_at is None]


def claim(limit, lease_seconds):
    """Lease up to `limit` due pending messages, oldest first, in one transaction; returns them.

    A claimed message whose contact opted out is failed (`opted_out`) in the same transaction instead;
    a batch made only of those is followed by the next one, so the queue behind them is still reached.
    """
    now = utcnow()
    with writing() as uow:  # a lease changes no status; only opted-out failures are announced
        write_lock()
        due = or_(Message.next_attempt_at.is_(None), Message.next_attempt_at <= now)
        leased = []
        while not leased:
            rows = db.session.execute(
                select(Message.id, Message.campaign_id, Message.step, Message.body, Message.attempts, Contact.phone,
                       Contact.opted_out_at)
                .join(Contact, Contact.id == Message.contact_id)
                .where(Message.status == "pending", due, not_paused())
                .order_by(Message.id).limit(limit)
                .with_for_update(of=Message, skip_locked=True)).all()
            if not rows:
                break
            leased = _fail_opted_out(rows, now, uow)
        if leased:
            db.session.execute(
                update(Message).where(Message.id.in_([r.id for r in leased]), Message.status == "pending")
                .values(next_attempt_at=now + dt.timedelta(seconds=lease_seconds),
                        attempts=Message.attempts + 1, updated_at=now))
    return [Claimed(r.id, r.campaign_id, r.step, r.body, r.attempts + 1, r.phone) for r in leased]


def release(claimed, when):
    """Give back leased messages that were not tried (their attempt does not count)."""
    if claimed:
        with writing():
            db.session.execute(
                update(Message).where(Message.id.in_([c.id for c in claimed]), Message.status == "pending")
                .values(next_attempt_at=when, attempts=Message.attempts - 1))


def retry_delay(config, attempts):
    """Backoff before the next dispatch tries again: doubling from DISPATCH_RETRY_DELAY_SECONDS, max 1 h."""
    return min(config["DISPATCH_RETRY_DELAY_SECONDS"] * 2 ** max(attempts - 1, 0), 3600.0)


def _outcome_values(message, result, config, now):
    """(new status, column values) for a send result."""
    if result.outcome == "sent":
        return "sent", {"wamid": result.wamid, "error_code": None, "error_message": None}
    errors = {"error_code": result.error_code, "error_message": result.error_message}
    if result.outcome == "retry" and message.attempts < config["DISPATCH_MAX_ATTEMPTS"]:
        return "pending", {**errors, "next_attempt_at": now + dt.timedelta(
            seconds=retry_delay(config, message.attempts))}
    return "failed", errors


def record(message, result, config, batch):
    """Commit one send's outcome with its counter increments; returns the new status (None if gone).

    Its events join `batch`, announced once the batch is settled.
    """
    now = utcnow()
    status, values = _outcome_values(message, result, config, now)
    if status != "pending":
        values["next_attempt_at"] = None
        values[{"sent": "sent_at", "failed": "failed_at"}[status]] = now
    with writing(batch=batch) as uow:
        # Compare-and-set on `pending`: the contact may have been deleted meanwhile.
        changed = db.session.execute(update(Message).where(Message.id == message.id, Message.status == "pending")
                                     .values(status=status, updated_at=now, **values)).rowcount
        if changed and status != "pending":
            tally = Tally()
            before = pending_state(message.id, message.campaign_id, message.step)
            tally.change(before, advance(before, status, now, result.error_code, result.error_message),
                         "message.sent")
            tally.apply_counters()
            tally.emit(uow)
    return status if changed else None


class Dispatcher:
    """One dispatch run: a pool of DISPATCH_CONCURRENCY senders fed at the paced rate, batch after batch.

    Meta answers in ~0.1-0.5 s, so one send at a time could not reach 80/s. The next batch is claimed and
    fed while the previous one's last sends are still in flight; each batch is then settled: its events
    announced once (daily counters, cache) after all its outcomes are committed.
    """

    def __init__(self, app, sleep):
        self.app, self.config, self.clock = app, app.config, get_clock(app)
        concurrency = max(1, self.config["DISPATCH_CONCURRENCY"])
        self.pacer = Pacer(self.config["DISPATCH_RATE_PER_SECOND"], self.clock, sleep)
        self.client = cloud_api.client_for(self.config, sleep)
        self.slots = threading.BoundedSemaphore(concurrency)
        self.stop = threading.Event()  # Meta is throttling or down: feed no more
        self.pool = ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix="dispatch")
        self.totals = {"sent": 0, "failed": 0}
        self.gate, self.passes = get_gate(), []  # the passes held by this run's batches (at most two)

    def send_one(self, message, announced):
        """Worker: send one message and commit its outcome (own app context, own session)."""
        try:
            with self.app.app_context():
                result = self.client.send(message.phone, message.body)
                status = record(message, result, self.config, announced)
            if result.outcome == "retry":
                self.stop.set()  # do not hammer Meta with the rest of the batch
            return status
        finally:
            self.slots.release()

    def feed(self, claimed):
        """Submit a claimed batch, paced; returns (futures, messages not submitted, their events' Batch)."""
        deadline = self.clock.monotonic() + self.config["DISPATCH_LEASE_SECONDS"] / 2
        futures, announced = [], Batch()
        for index, message in enumerate(claimed):
            self.slots.acquire()  # a free sender first, then the pacer: sends start >= 1/rate apart
            if self.stop.is_set() or self.clock.monotonic() > deadline:
                self.slots.release()
                return futures, claimed[index:], announced
            self.pacer.wait()
            futures.append(self.pool.submit(self.send_one, message, announced))
        return futures, [], announced

    def settle(self, futures, unsent, announced, gate_pass):
        """Wait for a batch's sends, give back what was not tried, announce its events once, then leave the gate."""
        try:
            with announced:  # what committed is announced even if a send failed
                for future in futures:
                    status = future.result()
                    if status in self.totals:
                        self.totals[status] += 1
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
                if current[1]:
                    break
            if previous:
                self.settle(*previous)
        finally:
            self.pool.shutdown(wait=True)
            for gate_pass in list(self.passes):  # after a failure: never keep a pause waiting
                self.leave(gate_pass)
            self.client.close()
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
