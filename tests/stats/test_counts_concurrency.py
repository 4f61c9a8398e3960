"""Several processes writing at once (PostgreSQL), a fold running in another and a rebuild in this one: the
maintained counts still equal a full recount at the end.

Each writer process plays random steps of the property test on the shared rows (so they delete, link and launch
each other's contacts and campaigns); a failed or conflicting write is fine, it rolls its deltas back with it.
"""
import multiprocessing
import random
import time

import pytest

from chatbot import create_app
from chatbot.clock import FrozenClock
from chatbot.extensions import db
from chatbot.services import counts
from tests.stats.test_counts_property import NO_DRIFT, SETUP, World, assert_exact

pytestmark = pytest.mark.postgresql_only
WRITERS = 3
STEPS = 60
DEADLINE_SECONDS = 240

KINDS = [
    lambda r: ("contact_create", [r.randrange(50) for _ in range(2)]),
    lambda r: ("contact_create", [r.randrange(50)]),
    lambda r: ("contact_update", r.randrange(50), [r.randrange(50)]),
    lambda r: ("contact_opt", r.randrange(50), r.random() < 0.5),
    lambda r: ("contact_delete", r.randrange(50)),
    lambda r: ("category_create",),
    lambda r: ("category_delete", r.randrange(50)),
    lambda r: ("campaign_create", [r.randrange(50)]),
    lambda r: ("campaign_launch", r.randrange(50)),
    lambda r: ("campaign_pause", r.randrange(50)),
    lambda r: ("dispatch",),
    lambda r: ("status", [(r.randrange(50), r.choice(["delivered", "read", "failed"]))], True),
    lambda r: ("answer", r.randrange(50), r.choice(["Yes!", "STOP", "START"])),
    lambda r: ("sweep", 30),
    lambda r: ("import", 10, [r.randrange(50)], r.randrange(50)),
]


def process_app(database_url, redis_url, clock=None):
    """The app as another process builds it (exceptions become 500 answers there, as in production)."""
    return create_app({"SQLALCHEMY_DATABASE_URI": database_url, "REDIS_URL": redis_url, "SCHEDULER_ENABLED": False,
                       "LOG_LEVEL": "ERROR", "WHATSAPP_TRANSPORT": "dry-run", "DISPATCH_RATE_PER_SECOND": 0,
                       "CLOCK": clock or FrozenClock()})


def writer(database_url, redis_url, seed, done):
    """One writer process: SETUP, then STEPS random steps; a step that fails is fine (it rolled back)."""
    rng, clock = random.Random(seed), FrozenClock()
    app = process_app(database_url, redis_url, clock)
    with app.app_context():
        world = World(app.test_client(), clock)
        failed = 0
        for item in SETUP + [rng.choice(KINDS)(rng) for _ in range(STEPS)]:
            try:
                world.play(item)
            except Exception:  # a deadlock or a conflict the service let through: rolled back, deltas and all
                db.session.rollback()
                failed += 1
    done.put((seed, failed))


def folder(database_url, redis_url, stop):
    """Folds over and over until the writers are done."""
    app = process_app(database_url, redis_url)
    with app.app_context():
        while not stop.is_set():
            counts.fold()


def test_concurrent_writers_folds_and_a_rebuild_keep_the_counts_exact(app, database_url, redis_url):
    spawn = multiprocessing.get_context("spawn")
    done, stop = spawn.Queue(), spawn.Event()
    writers = [spawn.Process(target=writer, args=(database_url, redis_url, seed, done)) for seed in range(WRITERS)]
    fold = spawn.Process(target=folder, args=(database_url, redis_url, stop))
    for process in writers + [fold]:
        process.start()
    deadline = time.monotonic() + DEADLINE_SECONDS
    finished, rebuilds = [], 0
    try:
        while len(finished) < WRITERS:  # rebuild over and over while the writers write
            counts.rebuild()
            rebuilds += 1
            while not done.empty():
                finished.append(done.get())
            assert time.monotonic() < deadline, "the writers did not finish in time"
    finally:
        stop.set()
        for process in writers + [fold]:
            process.join(timeout=max(deadline - time.monotonic(), 5))
    assert rebuilds > 1
    assert sorted(seed for seed, _failed in finished) == list(range(WRITERS))
    assert [p.exitcode for p in writers + [fold]] == [0] * (WRITERS + 1)
    db.session.expire_all()
    assert counts.drift() == NO_DRIFT
    assert_exact()
