"""read_once (chatbot/sql.py): a lone read runs on PostgreSQL without a transaction of its own (no BEGIN, no
ROLLBACK round trip), while a read inside the request's transaction still sees that transaction's writes."""
import pytest
from sqlalchemy import event, func, insert, select

from chatbot.extensions import db
from chatbot.models import Category
from chatbot.sql import read_once
from tests import factories


@pytest.fixture
def autocommit_seen(app):
    """The DBAPI connections' autocommit flag for each statement the engine sends."""
    seen = []

    def record(conn, cursor, statement, parameters, context, executemany):
        seen.append(conn.connection.dbapi_connection.autocommit)
    event.listen(db.engine, "before_cursor_execute", record)
    yield seen
    event.remove(db.engine, "before_cursor_execute", record)


@pytest.mark.postgresql_only
def test_a_lone_read_runs_in_autocommit_and_opens_no_transaction(app, autocommit_seen):
    factories.category(name="Alone")
    db.session.remove()
    autocommit_seen.clear()
    assert [row.name for row in read_once(select(Category.name))] == ["Alone"]
    assert autocommit_seen == [True]
    assert not db.session().in_transaction()


def test_a_read_inside_a_transaction_sees_its_uncommitted_writes(app):
    db.session.execute(insert(Category).values(name="Uncommitted"))
    try:
        assert read_once(select(func.count()).select_from(Category))[0][0] == 1
    finally:
        db.session.rollback()
    assert read_once(select(func.count()).select_from(Category))[0][0] == 0


@pytest.mark.postgresql_only
def test_the_category_list_and_stats_misses_read_outside_any_transaction(client, autocommit_seen):
    factories.category(name="Listed")
    db.session.remove()
    autocommit_seen.clear()
    response = client.get("/api/categories")
    assert response.headers["X-Cache"] == "MISS" and response.get_json()["items"][0]["name"] == "Listed"
    assert client.get("/api/messages/stats").headers["X-Cache"] == "MISS"
    assert autocommit_seen == [True, True]
