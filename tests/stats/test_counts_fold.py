"""The fold leaves one row per key and the same counts; the scheduler's job folds under `lock:stats` and leaves
the work to the process holding it."""
from sqlalchemy import func, select

from chatbot.extensions import db
from chatbot.models import CategoryCount, StatCount
from chatbot.scheduler.jobs import STATS_LOCK, fold_job
from chatbot.services import categories, counts
from chatbot.services.stats import compute_stats
from tests import factories


def rows(model):
    """How many delta rows the counts table holds."""
    return db.session.scalar(select(func.count()).select_from(model))


def keys(model, column):
    """How many keys it holds."""
    return db.session.scalar(select(func.count(func.distinct(column))))


def written(client):
    """Writes enough to leave several deltas per key on PostgreSQL (each statement adds its own row)."""
    category = factories.category()
    for _ in range(3):
        contact = factories.contact([category["id"]])
        client.patch(f"/api/contacts/{contact['id']}", json={"opted_out": True})
    client.delete(f"/api/contacts/{contact['id']}")
    return category


def numbers():
    """The stats and the category counts, read now (no cache)."""
    stats = compute_stats()
    stats.pop("generated_at")
    return stats, categories.compute_list()["items"]


def test_the_fold_leaves_one_row_per_key_and_the_same_counts(client):
    written(client)
    before = numbers()
    left = counts.fold()
    assert left == rows(StatCount) + rows(CategoryCount)
    assert rows(StatCount) == keys(StatCount, StatCount.key)
    assert rows(CategoryCount) == keys(CategoryCount, CategoryCount.category_id)
    assert numbers() == before
    assert counts.drift() == {"stat_counts": {}, "category_counts": {}}


def test_the_fold_job_folds_unless_another_process_holds_the_lock(app, client, redis_client):
    written(client)
    redis_client.set(STATS_LOCK, "another process", px=60_000)
    before = rows(StatCount)
    assert fold_job(app) is None
    assert rows(StatCount) == before
    redis_client.delete(STATS_LOCK)
    assert fold_job(app) == rows(StatCount) + rows(CategoryCount)
    assert rows(StatCount) == keys(StatCount, StatCount.key)
