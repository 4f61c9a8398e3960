"""SQL that differs between PostgreSQL and SQLite, in one place."""
from sqlalchemy import text
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from chatbot.extensions import db


def dialect_name():
    """`postgresql` or `sqlite`: the database the session talks to."""
    return db.session.get_bind().dialect.name


def write_lock():
    """SQLite has no row locks: a no-op write opens the transaction holding the database write lock, so
    what it reads next cannot change before the commit (PostgreSQL uses SELECT ... FOR UPDATE instead)."""
    if dialect_name() == "sqlite":
        db.session.execute(text("UPDATE messages SET id = id WHERE 0"))


def dialect_insert(table):
    """INSERT with ON CONFLICT support on either backend."""
    return (pg_insert if dialect_name() == "postgresql" else sqlite_insert)(table)


def insert_links(table, rows):
    """Insert link rows (contact or campaign to category), those already there skipped.

    Two identical writes at once both succeed: the second one's rows are already there, not a conflict.
    A category deleted meanwhile still fails the foreign key, which the unit of work answers with a 409.
    """
    if rows:
        db.session.execute(dialect_insert(table).values(rows).on_conflict_do_nothing())
