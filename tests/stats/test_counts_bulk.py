"""The bulk writers keep the counts exact: the demo seed (COPY on PostgreSQL, its big-load path included, where the
trigger is off and one recount replaces it) and a chunked CSV import."""
import io

import pytest
from sqlalchemy import text

from chatbot.extensions import db
from chatbot.services import counts
from chatbot.services.contact_import import import_contacts
from tests import factories
from tests.stats.test_counts_property import NO_DRIFT, assert_exact

SEED = ["seed", "demo", "--contacts", "60", "--messages", "300", "--categories", "6", "--seed", "3"]


def seeded_twice(runner):
    """Some rows of the app's own first, then two seeds on top of them."""
    category = factories.category()
    factories.contact([category["id"]])
    for _ in range(2):
        result = runner.invoke(args=SEED)
        assert result.exit_code == 0, result.output


def test_the_seed_keeps_the_counts_exact(runner):
    seeded_twice(runner)
    assert counts.drift() == NO_DRIFT
    assert_exact()


@pytest.mark.postgresql_only
def test_a_big_seed_recounts_once_and_turns_the_triggers_back_on(runner, monkeypatch):
    from chatbot.seed import writer
    monkeypatch.setattr(writer, "REBUILD_FROM", 50)  # so that this small load takes the bulk path
    seeded_twice(runner)
    assert counts.drift() == NO_DRIFT
    disabled = db.session.scalars(text(
        "SELECT tgname FROM pg_trigger WHERE tgname LIKE 'counts_%' AND tgenabled <> 'O'")).all()
    assert disabled == []
    factories.contact()  # counted by the trigger again
    assert counts.drift() == NO_DRIFT


def test_a_chunked_import_keeps_the_counts_exact(app):
    category = factories.category("Existing")
    old = factories.contact([category["id"]])
    rows = "".join(f"+3362{n:07d},Imported {n},Existing;New {n % 3}\n" for n in range(250))
    rows += f"{old['phone']},Renamed,New 1\n"  # a known contact moved to another category
    import_contacts(io.BytesIO(("phone,name,categories\n" + rows).encode()), chunk_rows=40)
    assert counts.drift() == NO_DRIFT
    assert_exact()
