"""The demo seed's messages: each campaign message goes the way a real one does, in time order.

A first message is queued at launch and sent by the dispatcher at DISPATCH_RATE; the API refuses a few,
webhooks then report delivered and read (or failed); some contacts answer, which records an interaction and
queues the second message; a first message left unanswered for 24 h is marked `no_interaction` by the hourly
sweep, and a campaign whose first messages are all resolved is completed by it. Anything due after `now` has
not happened yet, so recent campaigns still hold pending, sent and delivered messages.
"""
import math

from chatbot.seed.data import FAILURES, REPLIES
from chatbot.seed.plan import DISPATCH_DELAY, DISPATCH_RATE, HOUR, SeedError

# Fields of a message record (a list, cheaper than objects at a million rows).
CREATED, CONTACT, CAMPAIGN, STEP, STATUS, SENT, DELIVERED, READ, FAILED, INTERACTED, UPDATED, ERROR, ID = range(13)

P_REFUSED = 0.015              # the API refuses the send (bad number, ecosystem limit...)
P_FAILED_LATER = 0.015         # accepted, then a webhook reports it failed
P_DELIVERED = 0.97
P_READ = 0.85                  # some people turn read receipts off
ANSWER_WITHIN = 23 * HOUR      # answers come before the sweep could mark the message
NO_ANSWER_AFTER = 24 * HOUR
SWEEP_PHASE = 17 * 60.0        # the hourly sweep runs at hh:17
OPEN = ("sent", "delivered", "read")


def sweep_tick(at):
    """The first hourly sweep run at or after `at`."""
    return math.ceil((at - SWEEP_PHASE) / HOUR) * HOUR + SWEEP_PHASE


def _record(created, contact, campaign, step):
    return [created, contact, campaign, step, "pending", None, None, None, None, None, created, None, None]


def _fail(rng, record, at):
    record[STATUS], record[FAILED], record[UPDATED] = "failed", at, at
    record[ERROR] = rng.randrange(len(FAILURES))
    return record


def _deliver(rng, now, record, sent, read_median):
    """Walk a sent message up the status ladder as far as `now` allows."""
    draw = rng.random()
    if draw < P_REFUSED:
        return _fail(rng, record, sent)
    record[STATUS], record[SENT], record[UPDATED] = "sent", sent, sent
    if draw < P_REFUSED + P_FAILED_LATER:
        failed = sent + rng.expovariate(1 / 30)
        return _fail(rng, record, failed) if failed <= now else record
    delivered = sent + rng.expovariate(1 / 3)
    if rng.random() > P_DELIVERED or delivered > now:
        return record
    record[STATUS], record[DELIVERED], record[UPDATED] = "delivered", delivered, delivered
    read = delivered + min(rng.lognormvariate(math.log(read_median), 1.4), 20 * HOUR)
    if rng.random() > P_READ or read > now:
        return record
    record[STATUS], record[READ], record[UPDATED] = "read", read, read
    return record


def first_messages(rng, now, launches):
    """(records, answerable): one first message per audience contact; those read early enough to be answered."""
    records, answerable = [], []
    for campaign, (launch, audience) in enumerate(launches):
        for position, contact in enumerate(audience):
            record = _record(launch, contact, campaign, 1)
            records.append(record)
            sent = launch + DISPATCH_DELAY + position / DISPATCH_RATE
            if sent > now:
                continue
            _deliver(rng, now, record, sent, read_median=900)
            if record[STATUS] == "read":
                answered = record[READ] + rng.lognormvariate(math.log(240), 1.2)
                if answered <= now and answered <= sent + ANSWER_WITHIN:
                    answerable.append((record, answered))
    return records, answerable


def answer(rng, now, answerable, count):
    """Exactly `count` answers: (interactions [(first record, at, reply, True)], second message records)."""
    if count > len(answerable):
        raise SeedError(f"only {len(answerable)} first messages can be answered, {count} needed: "
                        "ask for fewer messages or more contacts")
    interactions, seconds = [], []
    for record, at in sorted(rng.sample(answerable, count), key=lambda pair: pair[1]):
        record[INTERACTED], record[UPDATED] = at, max(record[UPDATED], at)
        interactions.append((record, at, rng.randrange(len(REPLIES)), True))
        second = _record(at + 0.5, record[CONTACT], record[CAMPAIGN], 2)
        sent = second[CREATED] + 1 + rng.random() * 4
        seconds.append(_deliver(rng, now, second, sent, read_median=60) if sent <= now else second)
    return interactions, seconds


def sweep(now, records):
    """Mark unanswered first messages `no_interaction` where an hourly sweep has passed 24 h after sending."""
    for record in records:
        if record[STATUS] in OPEN and record[INTERACTED] is None:
            marked = sweep_tick(record[SENT] + NO_ANSWER_AFTER)
            if marked <= now:
                record[STATUS], record[UPDATED] = "no_interaction", marked


def resolution(record):
    """When a first message stopped waiting (failed, answered or marked), or None while it still waits."""
    if record[INTERACTED] is not None:
        return record[INTERACTED]
    if record[STATUS] in ("failed", "no_interaction"):
        return record[UPDATED]
    return None


def campaign_states(now, launches, records):
    """Per campaign: completed_at (the sweep run after its last first message resolved) or None if running."""
    last = [launch for launch, _ in launches]
    waiting = [False] * len(launches)
    for record in records:
        resolved = resolution(record)
        if resolved is None:
            waiting[record[CAMPAIGN]] = True
        else:
            last[record[CAMPAIGN]] = max(last[record[CAMPAIGN]], resolved)
    states = []
    for index, resolved in enumerate(last):
        tick = sweep_tick(resolved)
        states.append(None if waiting[index] or tick > now else tick)
    return states
