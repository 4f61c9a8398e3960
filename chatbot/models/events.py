"""Engine hooks: SQLite enforces foreign keys (ON DELETE CASCADE) only when asked, per connection,
and its built-in lower() folds ASCII only."""
from sqlalchemy import event

from chatbot.extensions import db


def _unicode_lower(value):
    """lower() as PostgreSQL's: 'CAFÉ' -> 'café' (SQLite's own leaves the É)."""
    return value.lower() if isinstance(value, str) else value


def _sqlite_pragmas(dbapi_connection, _record):
    # Every connection gets the same Unicode lower(): the unique index on lower(name) ("Café" and
    # "CAFÉ" are one category) and ILIKE searches then behave as on PostgreSQL.
    dbapi_connection.create_function("lower", 1, _unicode_lower, deterministic=True)
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    # WAL lets readers run while a writer commits (tests and the dev server use several threads).
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


def init_app(app):
    """Attach the hooks to this app's engine."""
    with app.app_context():
        engine = db.engine
        if engine.dialect.name == "sqlite":
            event.listen(engine, "connect", _sqlite_pragmas)
