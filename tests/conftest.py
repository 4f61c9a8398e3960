"""Fixtures: app -> db -> client/runner, on SQLite and PostgreSQL, with a real Redis.

Every test that uses `app` runs twice (sqlite, postgresql) unless marked `postgresql_only`.
URLs: TEST_DATABASE_URL (PostgreSQL) and TEST_REDIS_URL; scripts/test.sh sets them, starting
throwaway servers when none answer. TEST_BACKENDS=sqlite (or postgresql) narrows a local run; in CI
(CI=true) both always run.
"""
import contextlib
import os
import shutil
import uuid

import pytest
import redis as redis_lib
from sqlalchemy import create_engine, event, text

import chatbot.models  # noqa: F401  (registers the tables in the metadata)
from chatbot import create_app
from chatbot.clock import FrozenClock
from chatbot.extensions import db
from tests import foreign

PG_URL = os.environ.get("TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
ALL_BACKENDS = ["sqlite", "postgresql"]


def backends(environ):
    """The databases to test on: both in CI whatever TEST_BACKENDS says, else TEST_BACKENDS (default both)."""
    if environ.get("CI", "").lower() == "true":
        return list(ALL_BACKENDS)
    return [b for b in environ.get("TEST_BACKENDS", ",".join(ALL_BACKENDS)).split(",") if b]


BACKENDS = backends(os.environ)
# From the models, so a new table is emptied between tests without anyone remembering to add it here.
TABLES = tuple(table.name for table in db.metadata.sorted_tables)
# Pub/Sub channels ignore the database number: a channel of this run's own keeps other runs' events out.
LIVE_CHANNEL = f"events:dashboard:test:{uuid.uuid4().hex[:12]}"
OUR_PREFIXES = ("cache:*", "monitoring:*", "lock:*", "events:*")


def pytest_generate_tests(metafunc):
    """Parametrise `db_backend`: both databases, or PostgreSQL alone for `postgresql_only` tests."""
    if "db_backend" in metafunc.fixturenames:
        wanted = ["postgresql"] if metafunc.definition.get_closest_marker("postgresql_only") else BACKENDS
        metafunc.parametrize("db_backend", [b for b in wanted if b in BACKENDS] or wanted, indirect=True)


@pytest.fixture
def db_backend(request):
    """'sqlite' or 'postgresql'."""
    return request.param


def migrate(url):
    """Build the schema with the real migrations (what `flask db upgrade` runs)."""
    from flask_migrate import upgrade
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SCHEDULER_ENABLED": False, "TESTING": True})
    with app.app_context():
        upgrade()
        db.engine.dispose()


@pytest.fixture(scope="session")
def pg_url():
    """The PostgreSQL test database, rebuilt from the migrations once per session."""
    from chatbot.config import database_url
    url = database_url(PG_URL, "")
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    migrate(url)
    return url


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory):
    """A migrated SQLite file, copied for each test (faster than migrating each time)."""
    path = tmp_path_factory.mktemp("sqlite") / "template.sqlite3"
    migrate(f"sqlite:///{path}")
    return path


@pytest.fixture
def database_url(db_backend, request, tmp_path):
    """A clean database of the requested kind."""
    if db_backend == "sqlite":
        path = tmp_path / "test.sqlite3"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        return f"sqlite:///{path}"
    url = request.getfixturevalue("pg_url")
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {', '.join(TABLES)} RESTART IDENTITY CASCADE"))
    engine.dispose()
    return url


@pytest.fixture
def redis_url():
    """The shared test Redis, holding other programs' keys that must survive every test."""
    client = redis_lib.Redis.from_url(REDIS_URL)
    clean_our_keys(client)
    foreign.plant(client)
    yield REDIS_URL
    try:
        foreign.assert_untouched(client)
    finally:
        clean_our_keys(client)
        client.close()


def clean_our_keys(client):
    """Delete only our own prefixes (SCAN, never KEYS)."""
    for pattern in OUR_PREFIXES:
        names = list(client.scan_iter(match=pattern, count=1000))
        if names:
            client.unlink(*names)


@pytest.fixture
def clock():
    """The frozen clock every test app uses: move it with clock.advance(hours=24)."""
    return FrozenClock()


@pytest.fixture
def app_config(database_url, redis_url, clock):
    """The config mapping of the test app; tests may update it before using `app`."""
    return {
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": database_url,
        "REDIS_URL": redis_url,
        "SCHEDULER_ENABLED": False,
        "CACHE_METRICS_FLUSH_SECONDS": 0,
        "CLOCK": clock,
        "LOG_FORMAT": "text",
        "WHATSAPP_TRANSPORT": "dry-run",
        "LIVE_CHANNEL": LIVE_CHANNEL,
    }


@pytest.fixture
def app(app_config):
    """A fresh app on a clean database and a clean (of our keys) Redis."""
    app = create_app(app_config)
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app):
    """Test client."""
    return app.test_client()


@pytest.fixture
def runner(app):
    """CLI runner."""
    return app.test_cli_runner()


@pytest.fixture
def redis_client(redis_url):
    """A plain client on the test Redis, for assertions."""
    client = redis_lib.Redis.from_url(redis_url)
    yield client
    client.close()


class StatementCounter:
    """Counts SQL statements sent by the app's engine."""

    def __init__(self):
        self.statements = []

    def __call__(self, conn, cursor, statement, parameters, context, executemany):
        self.statements.append(statement)

    @property
    def count(self):
        """How many statements ran."""
        return len(self.statements)


@pytest.fixture
def count_statements(app):
    """`with count_statements() as counter: ...` then `counter.count`."""
    @contextlib.contextmanager
    def counting():
        counter = StatementCounter()
        event.listen(db.engine, "before_cursor_execute", counter)
        try:
            yield counter
        finally:
            event.remove(db.engine, "before_cursor_execute", counter)
    return counting
