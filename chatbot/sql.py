"""SQL that differs between PostgreSQL and SQLite, in one place."""
import datetime as dt
import json

from sqlalchemy import JSON, Text, bindparam, cast, column, func, select, text, type_coerce
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


def json_time(value, suffix=None):
    """A datetime as the JSON text each database reads back as its own (naive UTC text on SQLite), for json_table.

    `suffix` ("" on SQLite, "+00:00" on PostgreSQL: `time_suffix()`) lets a batch look the dialect up once."""
    if value is None:
        return None
    if suffix is None:
        suffix = time_suffix()
    return value.astimezone(dt.timezone.utc).strftime("%Y-%m-%d %H:%M:%S.%f") + suffix


def time_suffix():
    """What json_time appends on this database."""
    return "" if dialect_name() == "sqlite" else "+00:00"


def json_table(rows, **types):
    """A derived table of `rows` (dicts), columns `types` ({name: SQL type}), sent as ONE bound JSON parameter.

    A set-based INSERT ... SELECT or join over any number of rows is then one statement of fixed text (compiled
    once, cached), with none of the bound-parameter limits a multi-row VALUES runs into (SQLite 32,766,
    PostgreSQL 65,535) and no text to build per row. PostgreSQL: json_to_recordset; SQLite: json_each.
    """
    payload = bindparam(None, json.dumps(rows), type_=Text)
    if dialect_name() == "postgresql":
        return (func.json_to_recordset(cast(payload, JSON))
                .table_valued(*[column(name, kind) for name, kind in types.items()])
                .render_derived(with_types=True))
    each = func.json_each(payload).table_valued("value")
    return select(*[type_coerce(func.json_extract(each.c.value, f"$.{name}"), kind).label(name)
                    for name, kind in types.items()]).select_from(each).subquery()


def read_once(statement):
    """The rows of one read-only statement, with as few round trips as the database allows.

    On PostgreSQL the session's way costs three round trips besides the statement's own (the pool's ping, BEGIN,
    and the ROLLBACK that ends the request), each a wake-up of the server on a busy machine. One statement is one
    snapshot by itself, so outside a transaction it runs on an AUTOCOMMIT connection: the ping and the statement,
    nothing more (psycopg sends no BEGIN; returned to the pool idle, it needs no ROLLBACK). Inside the request's
    transaction (it already read or wrote) the statement joins it and sees its writes. SQLite answers in process.
    """
    if dialect_name() != "postgresql" or db.session().in_transaction():
        return db.session.execute(statement).all()
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        return conn.execute(statement).all()
