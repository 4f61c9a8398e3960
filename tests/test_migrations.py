"""`flask db upgrade` builds an empty database whose schema is the models' and the contract's, on both databases."""
import warnings

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.exc import IntegrityError

from chatbot import create_app
from chatbot.config import database_url
from chatbot.extensions import db
from chatbot.services import counts
from chatbot.services.stats import compute_stats
from tests import factories
from tests.conftest import PG_URL

CONTRACT_TABLES = {"categories", "contacts", "contact_categories", "campaigns", "campaign_categories", "messages",
                   "interactions"}
# internal: invalidations Redis could not take (chatbot/cache/durable.py), maintained counts (chatbot/models/counts.py),
# status webhooks before their batched outcome (chatbot/messaging/early.py)
OUR_OTHER_TABLES = {"cache_invalidations", "stat_counts", "category_counts", "early_statuses", "webhook_intake",
                    "users", "user_sessions", "api_tokens", "audit_log"}  # operator accounts (issue #18)
HEAD = "0008"
SCHEMA = "migration_check"  # a schema of our own in the test database: an empty place to migrate into


@pytest.fixture
def empty_database(db_backend, tmp_path):
    """The URL of a database with no tables at all."""
    if db_backend == "sqlite":
        yield f"sqlite:///{tmp_path}/empty.sqlite3"
        return
    base = database_url(PG_URL, "")
    admin = create_engine(base)
    with admin.begin() as conn:
        conn.execute(text(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE"))
        conn.execute(text(f"CREATE SCHEMA {SCHEMA}"))
    yield f"{base}?options=-csearch_path%3D{SCHEMA}"
    with admin.begin() as conn:
        conn.execute(text(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE"))
    admin.dispose()


@pytest.fixture
def fresh_app(empty_database, redis_url):
    """An app on the empty database; nothing built yet."""
    app = create_app({"SQLALCHEMY_DATABASE_URI": empty_database, "REDIS_URL": redis_url,
                      "SCHEDULER_ENABLED": False, "TESTING": True})
    with app.app_context():
        assert inspect(db.engine).get_table_names() == []
        yield app
        db.session.remove()
        db.engine.dispose()


def upgrade(app):
    """Run `flask db upgrade` through the CLI."""
    result = app.test_cli_runner().invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output + repr(result.exception)


def differences(app):
    """What Alembic's autogenerate would change to make the database match the models (nothing, we hope)."""
    with db.engine.connect() as conn, warnings.catch_warnings():
        # SQLite cannot reflect the expression index on lower(name); its effect is tested below instead.
        warnings.filterwarnings("ignore", "Skipped unsupported reflection of expression-based index")
        warnings.filterwarnings("ignore", "autogenerate skipping metadata-specified expression-based index")
        context = MigrationContext.configure(conn, opts={"compare_type": True, "compare_server_default": True})
        return compare_metadata(context, db.metadata)


def test_flask_db_upgrade_builds_the_contract_tables(fresh_app):
    upgrade(fresh_app)
    assert set(inspect(db.engine).get_table_names()) == CONTRACT_TABLES | OUR_OTHER_TABLES | {"alembic_version"}
    with db.engine.connect() as conn:
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one() == HEAD


def test_migrated_schema_matches_the_models(fresh_app):
    upgrade(fresh_app)
    assert differences(fresh_app) == []


def test_the_comparison_would_see_a_missing_index(fresh_app):
    upgrade(fresh_app)
    with db.engine.begin() as conn:
        conn.execute(text("DROP INDEX ix_messages_pending"))
    assert [(d[0], d[1].name) for d in differences(fresh_app)] == [("add_index", "ix_messages_pending")]


def test_messages_have_the_columns_operators_query(fresh_app):
    upgrade(fresh_app)
    columns = {c["name"] for c in inspect(db.engine).get_columns("messages")}
    assert {"status", "step", "campaign_id", "contact_id", "sent_at"} <= columns


def test_downgrade_then_upgrade_again(fresh_app):
    upgrade(fresh_app)
    result = fresh_app.test_cli_runner().invoke(args=["db", "downgrade", "base"])
    assert result.exit_code == 0, result.output
    assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
    upgrade(fresh_app)
    assert differences(fresh_app) == []


def violates(statement, **params):
    """True if the statement breaks a constraint of the migrated schema (in its own, rolled back, transaction)."""
    try:
        with db.engine.begin() as conn:
            conn.execute(text(statement), params)
    except IntegrityError:
        return True
    return False


NOW = "2026-01-15 12:00:00"


def test_migrated_schema_keeps_the_data_right(app):
    category = factories.category("Sales")
    contact = factories.contact([category["id"]], number="+14152000001")
    campaign = factories.campaign([category["id"]])
    factories.message(contact["id"], campaign_id=campaign["id"], wamid="wamid.one")
    insert_contact = "INSERT INTO contacts (phone, name, created_at, updated_at) VALUES (:phone, 'x', :now, :now)"
    insert_category = "INSERT INTO categories (name, created_at, updated_at) VALUES (:name, :now, :now)"
    insert_message = ("INSERT INTO messages (campaign_id, contact_id, step, status, body, wamid, created_at,"
                      " updated_at) VALUES (:campaign, :contact, :step, :status, '{}', :wamid, :now, :now)")
    message = {"campaign": None, "contact": contact["id"], "step": 1, "status": "pending", "wamid": None, "now": NOW}
    assert violates(insert_contact, phone="+14152000001", now=NOW)
    assert violates(insert_category, name="sALES", now=NOW)
    assert violates(insert_message, **{**message, "wamid": "wamid.one"})
    assert violates(insert_message, **{**message, "campaign": campaign["id"]})
    assert violates(insert_message, **{**message, "step": 3})
    assert violates(insert_message, **{**message, "status": "lost"})
    assert violates(insert_message, **{**message, "contact": 999})
    assert not violates(insert_message, **{**message, "campaign": campaign["id"], "step": 2})
    assert not violates(insert_category, name="Support", now=NOW)


# Migration 0004 on a database that already holds data (a live upgrade): the maintained counts start exact, and the
# triggers count from then on; its downgrade removes tables and triggers alike.
DATA = [
    "INSERT INTO categories (name, created_at, updated_at) VALUES ('A', :now, :now), ('B', :now, :now)",
    "INSERT INTO contacts (phone, name, created_at, updated_at, opted_out_at) VALUES "
    "('+14152000001', 'x', :now, :now, NULL), ('+14152000002', 'y', :now, :now, :now), "
    "('+14152000003', 'z', :now, :now, NULL)",
    "INSERT INTO contact_categories (contact_id, category_id) VALUES (1, 1), (2, 1), (3, 2)",
    "INSERT INTO campaigns (name, status, first_message, second_message, created_at, updated_at) VALUES "
    "('c', 'running', '{}', '{}', :now, :now), ('d', 'draft', '{}', '{}', :now, :now)",
    "INSERT INTO messages (campaign_id, contact_id, step, status, body, created_at, updated_at) VALUES "
    "(1, 1, 1, 'read', '{}', :now, :now), (1, 3, 1, 'sent', '{}', :now, :now), (1, 1, 2, 'pending', '{}', :now, :now)",
    "INSERT INTO interactions (contact_id, wamid, kind, occurred_at, created_at) VALUES (1, 'w1', 'text', :now, :now)",
]


def run_cli(app, *args):
    """`flask <args>`, which must succeed."""
    result = app.test_cli_runner().invoke(args=list(args))
    assert result.exit_code == 0, result.output + repr(result.exception)


def test_an_upgrade_of_a_database_with_data_starts_exact(fresh_app):
    run_cli(fresh_app, "db", "upgrade", "0003")
    with db.engine.begin() as conn:
        for statement in DATA:
            conn.execute(text(statement), {"now": NOW})
    run_cli(fresh_app, "db", "upgrade")
    assert counts.drift() == {"stat_counts": {}, "category_counts": {}}
    stats = compute_stats()
    assert (stats["contacts"], stats["messages"]["total"], stats["messages"]["read"]) == (
        {"total": 3, "opted_out": 1}, 3, 1)
    assert (stats["campaigns"]["running"], stats["campaigns"]["draft"], stats["interactions"]["total"]) == (1, 1, 1)
    with db.engine.begin() as conn:  # the triggers count what comes after
        conn.execute(text("DELETE FROM contacts WHERE id = 1"))
    assert counts.drift() == {"stat_counts": {}, "category_counts": {}}
    assert compute_stats()["messages"]["total"] == 1


def test_the_downgrade_removes_the_counts_and_their_triggers(fresh_app):
    run_cli(fresh_app, "db", "upgrade")
    run_cli(fresh_app, "db", "downgrade", "0003")
    assert not {"stat_counts", "category_counts"} & set(inspect(db.engine).get_table_names())
    with db.engine.begin() as conn:  # a write with no counts table left: no trigger may still fire
        conn.execute(text("INSERT INTO categories (name, created_at, updated_at) VALUES ('A', :now, :now)"),
                     {"now": NOW})
        conn.execute(text("INSERT INTO contacts (phone, name, created_at, updated_at) VALUES "
                          "('+14152000001', 'x', :now, :now)"), {"now": NOW})
