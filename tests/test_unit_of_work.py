"""The unit of work: effects before and after the commit, none for a failed write, 409s, retries, batches."""
import pathlib
import re

import pytest
from sqlalchemy import event, func, select
from sqlalchemy.exc import OperationalError

from chatbot import unit_of_work
from chatbot.cache import get_cache, keys
from chatbot.cache.invalidation import keys_for
from chatbot.clock import utcnow
from chatbot.errors import Conflict
from chatbot.events import EVENTS
from chatbot.extensions import db
from chatbot.models import Category
from chatbot.unit_of_work import Batch, run, writing
from tests.cache.support import PREFIX

ROOT = pathlib.Path(__file__).resolve().parent.parent

# One write of each event, with the ids it carries.
SAMPLES = {
    "contact.created": {"contact_id": 1, "category_ids": [11]},
    "contact.updated": {"contact_id": 1, "category_ids": [11, 12]},
    "contact.deleted": {"contact_id": 1, "category_ids": [12], "campaign_ids": [3]},
    "category.created": {"category_id": 13},
    "category.updated": {"category_id": 11},
    "category.deleted": {"category_id": 12},
    "campaign.created": {"campaign_id": 3},
    "campaign.updated": {"campaign_id": 3},
    "campaign.deleted": {"campaign_id": 3},
    "campaign.launched": {"campaign_id": 3},
    "campaign.paused": {"campaign_id": 3},
    "campaign.resumed": {"campaign_id": 3},
    "campaign.completed": {"campaign_ids": [3]},
    "message.sent": {"campaign_ids": [3]},
    "message.status": {"campaign_ids": [3]},
    "interaction.recorded": {"campaign_ids": [3], "contact_ids": [1]},
    "sweep.completed": {"campaign_ids": [3]},
    "contacts.imported": {"category_ids": [11, 12]},
    "monitoring.counted": {"counts": {"sent": 2, "read": 1}},
    "data.seeded": {"category_ids": [11]},
    "user.created": {"user_id": 1},
    "user.updated": {"user_id": 1},
    "user.deleted": {"user_id": 1},
    "token.created": {"token_id": 2, "user_id": 1},
    "token.revoked": {"token_id": 2},
    "session.started": {"user_id": 1},
    "session.ended": {"user_id": 1},
}


@pytest.fixture
def seen(app):
    """What the effects saw: ("before" | "after", [event names]) per call, in order."""
    calls = []
    unit_of_work.on_before_commit(app, lambda events: calls.append(("before", [e.name for e in events])))
    unit_of_work.on_after_commit(app, lambda events: calls.append(("after", [e.name for e in events])))
    return calls


def _categories():
    return db.session.scalar(select(func.count(Category.id)))


def test_effects_run_before_and_after_the_commit_with_the_declared_events(app, seen):
    with writing() as uow:
        db.session.add(Category(name="Alpha"))
        uow.emit("category.created", category_id=1)
    assert seen == [("before", ["category.created"]), ("after", ["category.created"])]


def test_a_failed_commit_runs_no_after_commit_effect_and_keeps_nothing(app, seen):
    session = db.session()

    def fail(_session):
        raise RuntimeError("disk full")

    event.listen(session, "before_commit", fail)
    try:
        with pytest.raises(RuntimeError, match="disk full"):
            with writing() as uow:
                db.session.add(Category(name="Alpha"))
                uow.emit("category.created", category_id=1)
    finally:
        event.remove(session, "before_commit", fail)
    assert [when for when, _ in seen] == ["before"]  # inside the transaction, rolled back with it
    assert _categories() == 0


def test_a_block_that_raises_rolls_back_and_runs_no_effect(app, seen):
    with pytest.raises(ValueError):
        with writing() as uow:
            db.session.add(Category(name="Alpha"))
            db.session.flush()
            uow.emit("category.created", category_id=1)
            raise ValueError("refused")
    assert seen == []
    assert _categories() == 0


def test_an_integrity_error_is_the_contracts_409_and_runs_no_effect(app, seen):
    with writing():
        db.session.add(Category(name="Alpha"))
    seen.clear()
    with pytest.raises(Conflict) as raised:
        with writing(conflict=("a category with this name already exists", "name")) as uow:
            db.session.add(Category(name="alpha"))
            uow.emit("category.created", category_id=2)
    assert raised.value.details == {"name": ["a category with this name already exists"]}
    assert [when for when, _ in seen] == ["before"]  # the commit's flush failed: nothing after it
    assert _categories() == 1


def test_an_undeclared_event_is_refused(app):
    with pytest.raises(KeyError, match="undeclared event"):
        with writing() as uow:
            uow.emit("contact.renamed", contact_id=1)


def test_every_event_has_a_sample_here():
    assert set(SAMPLES) == EVENTS


def _fill(cache_keys):
    """Put each key in the cache (as a read would)."""
    for key in cache_keys:
        get_cache().get_or_compute(key, lambda: {"filled": True})


@pytest.mark.parametrize("name", sorted(EVENTS))
def test_each_event_of_the_table_reaches_its_effects(app, redis_client, seen, name):
    """The write's event reaches every after-commit effect: the cache drops exactly its entries, the
    daily counters add its counts."""
    everything = [keys.stats(), keys.category_list(), *map(keys.category_detail, (11, 12, 13))]
    _fill(everything)
    dropped = set(keys_for(name, **SAMPLES[name]))
    with writing() as uow:
        uow.emit(name, **SAMPLES[name])
    assert seen[-1] == ("after", [name])
    assert {k for k in everything if not redis_client.exists(PREFIX + k)} == dropped
    day = f"monitoring:daily:{utcnow().date().isoformat()}"
    expected = {k.encode(): str(n).encode() for k, n in SAMPLES[name].get("counts", {}).items()}
    assert redis_client.hgetall(day) == expected


def test_a_batch_runs_the_effects_once_for_all_its_units_even_after_a_failure(app, seen):
    with pytest.raises(ValueError):
        with Batch() as batch:
            for index in range(3):
                with writing(batch=batch) as uow:
                    uow.emit("message.sent", campaign_ids=[index])
            assert [when for when, _ in seen] == ["before"] * 3
            raise ValueError("the fourth send failed")
    assert seen[3:] == [("after", ["message.sent"] * 3)]


def test_run_reruns_the_whole_work_after_a_busy_database(app, seen):
    attempts = []

    def work(uow):
        attempts.append(1)
        db.session.add(Category(name=f"Try {len(attempts)}"))
        db.session.flush()
        if len(attempts) == 1:
            raise OperationalError("INSERT", {}, Exception("database is locked"))
        uow.emit("category.created", category_id=1)
        return len(attempts)

    assert run(work) == 2
    assert db.session.scalars(select(Category.name)).all() == ["Try 2"]
    assert seen == [("before", ["category.created"]), ("after", ["category.created"])]


def test_only_the_unit_of_work_commits_and_only_the_cache_invalidates():
    """Nobody commits or invalidates by hand (the seed's post-commit ANALYZE is the one noted exception)."""
    commits, invalidations = [], []
    for path in (ROOT / "chatbot").rglob("*.py"):
        relative = str(path.relative_to(ROOT))
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if ".commit()" in line and relative not in ("chatbot/unit_of_work.py", "chatbot/seed/writer.py"):
                commits.append(f"{relative}:{number}")
            if re.search(r"\binvalidate\(", line) and not relative.startswith("chatbot/cache/"):
                invalidations.append(f"{relative}:{number}")
    assert commits == [] and invalidations == []
