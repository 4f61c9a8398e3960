"""The import writes set-based chunks: a fixed number of statements per chunk whatever its rows, each chunk whole or
not at all (earlier chunks stay), and the CLI does the same as the route."""
import io

import pytest
from sqlalchemy import func, select, text

from chatbot.errors import Conflict
from chatbot.extensions import db
from chatbot.models import Category, Contact
from chatbot.services.contact_import import import_contacts
from tests.api.test_contact_import import HEADER, contacts_by_phone, imported


def csv_rows(count, first=0, categories="VIP;Promo"):
    """A CSV of `count` new contacts."""
    return HEADER + "".join(f"+3361{first + n:07d},Contact {first + n},{categories}\n" for n in range(count))


def statements_of(count_statements, client, body):
    """The SQL statements one import sent (the unit of work's BEGIN/COMMIT aside)."""
    with count_statements() as counter:
        imported(client, body)
    return [s for s in counter.statements if not s.lstrip().upper().startswith(("BEGIN", "COMMIT", "ROLLBACK"))]


def test_statements_do_not_grow_with_the_rows(client, count_statements):
    small = statements_of(count_statements, client, csv_rows(10))
    large = statements_of(count_statements, client, csv_rows(1000, first=1000))
    assert len(large) == len(small) <= 8, large
    again = statements_of(count_statements, client, csv_rows(1000, first=1000))  # all unchanged: reads only
    assert len(again) <= 5, again


def test_statements_grow_with_the_chunks_only(app, count_statements):
    def statements(chunk_rows):
        with count_statements() as counter:
            import_contacts(io.BytesIO(csv_rows(90, first=chunk_rows * 1000).encode()), chunk_rows=chunk_rows)
        return len(counter.statements)
    assert statements(30) == 3 * statements(90)  # three chunks of 30, one of 90


TRIGGERS = {
    # The database refuses one link as a foreign key would after a concurrent delete of its category: an
    # IntegrityError in the middle of a chunk's writes, after its contacts were inserted.
    "postgresql": [
        """CREATE FUNCTION refuse_boom() RETURNS trigger AS $$ BEGIN
             IF (SELECT name FROM categories WHERE id = NEW.category_id) = 'Boom' THEN
               RAISE EXCEPTION 'category deleted meanwhile' USING ERRCODE = 'foreign_key_violation';
             END IF; RETURN NEW; END $$ LANGUAGE plpgsql""",
        """CREATE TRIGGER refuse_boom BEFORE INSERT ON contact_categories FOR EACH ROW
             EXECUTE FUNCTION refuse_boom()"""],
    "sqlite": [
        """CREATE TRIGGER refuse_boom BEFORE INSERT ON contact_categories
             WHEN (SELECT name FROM categories WHERE id = NEW.category_id) = 'Boom'
             BEGIN SELECT RAISE(ABORT, 'FOREIGN KEY constraint failed'); END"""],
}
DROP = {"postgresql": ["DROP TRIGGER IF EXISTS refuse_boom ON contact_categories",
                       "DROP FUNCTION IF EXISTS refuse_boom()"],
        "sqlite": ["DROP TRIGGER IF EXISTS refuse_boom"]}


@pytest.fixture
def refusing_boom(app, db_backend):
    """A trigger that makes any link to the category 'Boom' fail; dropped after the test."""
    for statement in TRIGGERS[db_backend]:
        db.session.execute(text(statement))
    db.session.commit()
    yield
    db.session.rollback()
    for statement in DROP[db_backend]:
        db.session.execute(text(statement))
    db.session.commit()


def test_a_failing_chunk_rolls_back_whole_and_earlier_chunks_stay(refusing_boom, client):
    body = csv_rows(3) + "+33619999991,Four,\n+33619999992,Five,Boom\n+33619999993,Six,New\n" + csv_rows(3, 50)
    with pytest.raises(Conflict) as failure:
        import_contacts(io.BytesIO(body.encode()), chunk_rows=3)
    assert failure.value.details["written"] == {"created": 3, "updated": 0, "unchanged": 0}
    db.session.rollback()
    phones = set(db.session.scalars(select(Contact.phone)))
    assert phones == {f"+3361{n:07d}" for n in range(3)}  # not Four (before the failing row), nor Five, nor Six
    assert set(db.session.scalars(select(Category.name))) == {"VIP", "Promo"}  # Boom and New rolled back too
    db.session.rollback()
    # Through the route: a 409 in the envelope, never a 500.
    response = client.post("/api/contacts/import", data=HEADER + "+33619999992,Five,Boom\n", content_type="text/csv")
    assert response.status_code == 409 and response.get_json()["error"]["details"]["written"]["created"] == 0


def test_the_cli_imports_with_progress_and_lists_the_rejected_lines(runner, client, tmp_path):
    path = tmp_path / "contacts.csv"
    path.write_text(HEADER + "+33612345601,Ann,VIP\nnope,Bob,\n+33612345601,Ann again,\n")
    result = runner.invoke(args=["contacts", "import", str(path)])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "created 1, updated 0, unchanged 0, rejected 2"
    assert lines[1].startswith("line 3 (nope): phone: ")
    assert lines[2] == "line 4 (+33612345601): duplicate of line 2 (the first row with a phone is kept)"
    assert contacts_by_phone(client) == {"+33612345601": ("Ann", ["VIP"])}
    assert runner.invoke(args=["contacts", "import", str(path)]).stdout.startswith("created 0, updated 0, unchanged 1")


def test_the_cli_says_why_a_file_is_not_a_contacts_csv(runner, tmp_path):
    path = tmp_path / "contacts.csv"
    path.write_text("tel,nom\n+33612345601,Ann\n")
    result = runner.invoke(args=["contacts", "import", str(path)])
    assert result.exit_code == 1 and "header" in result.output
    assert db.session.scalar(select(func.count()).select_from(Contact)) == 0
