"""Each trigger matters: with any one of them gone, the same writes leave a drift that `verify` sees.

This is what makes the property test worth something: a write path that stopped maintaining the counts (here,
the trigger of one table and one kind of write, dropped) fails it.
"""
import pytest
from sqlalchemy import text

from chatbot.extensions import db
from chatbot.models import count_triggers
from chatbot.services import counts
from tests.stats.test_counts_property import NO_DRIFT, SETUP, World

# Every counted table, every kind of write (contact_categories' UPDATE only an operator's SQL makes).
EVERY_WRITE = SETUP + [
    ("category_create",), ("contact_update", 0, [-1]), ("contact_opt", 1, True), ("answer", 2, "Yes!"),
    ("status", [(0, "delivered"), (1, "read")], True), ("campaign_create", [0]), ("campaign_delete", -1),
    ("category_create",), ("raw_move_link",), ("contact_delete", 2), ("raw_delete_message", 0),
    ("category_delete", -1), ("sweep", 30),
]


class Operator(World):
    """The world with one more raw SQL write: a link moved to the newest category."""

    def raw_move_link(self):
        db.session.execute(text(
            "UPDATE contact_categories SET category_id = (SELECT MAX(id) FROM categories) "
            "WHERE contact_id = (SELECT MIN(contact_id) FROM contact_categories) "
            "AND category_id = (SELECT MIN(category_id) FROM contact_categories "
            "WHERE contact_id = (SELECT MIN(contact_id) FROM contact_categories))"))
        db.session.commit()  # the operator's own transaction


@pytest.fixture
def without(app, db_backend):
    """without(source, event): drop that trigger for this test (put back after it on the shared PostgreSQL)."""
    dropped = []

    def drop(source, event):
        with db.engine.begin() as conn:
            conn.execute(text(count_triggers.drop_trigger(db_backend, source, event)))
        dropped.append((source, event))
    yield drop
    with db.engine.begin() as conn:
        for source, event in dropped:
            conn.execute(text(count_triggers.create_trigger(db_backend, source, event)))


def play_every_write(client, clock):
    """The fixed sequence, checked after each step is not the point here: only the end."""
    world = Operator(client, clock)
    for item in EVERY_WRITE:
        world.play(item)


def test_every_write_keeps_the_counts_exact_with_all_triggers(client, clock):
    play_every_write(client, clock)
    assert counts.drift() == NO_DRIFT


@pytest.mark.parametrize("source,event", count_triggers.triggers())
def test_a_forgotten_trigger_shows_as_drift(client, clock, without, source, event):
    without(source, event)
    play_every_write(client, clock)
    drift = counts.drift()
    assert drift != NO_DRIFT, f"without {source} {event} the counts still matched"
