"""Data of two sizes for the statement-count tests: the counts must not move when the data grows."""
import pytest
from sqlalchemy import func, select

from chatbot.cache import get_cache, keys
from chatbot.extensions import db
from chatbot.models import Category, Message
from chatbot.seed import seed_demo

# (contacts, messages, categories): then ten times more on top.
SIZES = ((20, 60, 4), (200, 900, 8))


@pytest.fixture
def at_two_sizes(app):
    """`at_two_sizes(measure)`: run measure() after a small seed and again after a bigger one; both results."""
    def run(measure):
        results = []
        for number, size in enumerate(SIZES):
            seed_demo(*size, seed=number)
            results.append(measure())
        return results
    return run


def uncached(*cache_keys):
    """Drop these cache entries (their next read goes to the database)."""
    get_cache().invalidate(list(cache_keys) or [keys.stats()])


def busiest(column):
    """The value of `column` with the most messages."""
    return db.session.scalar(select(column).where(column.is_not(None)).group_by(column)
                             .order_by(func.count().desc(), column).limit(1))


def some_ids():
    """The campaign and the contact with the most messages, and the newest category."""
    ids = {"campaign_id": busiest(Message.campaign_id), "contact_id": busiest(Message.contact_id),
           "category_id": db.session.scalar(select(Category.id).order_by(Category.id.desc()).limit(1))}
    db.session.rollback()  # no transaction left open between requests
    return ids
