"""Bulk writers for the demo seed: COPY on PostgreSQL, executemany on SQLite. Never one ORM object per row.

Both write inside the session's transaction (the caller's unit of work commits) and take ids from reserved ranges.
"""
import contextlib
import itertools

from sqlalchemy import JSON, String, column, insert, table, text

from chatbot.extensions import db
from chatbot.models import count_triggers
from chatbot.models.counts import SOURCES
from chatbot.services import counts

TABLES = ("categories", "contacts", "contact_categories", "campaigns", "campaign_categories", "messages",
          "interactions")
CHUNK = 10_000
# A load at least this big, and at least as big as the table, goes in faster with the table's secondary
# indexes and foreign keys dropped and rebuilt afterwards (PostgreSQL's "Populating a Database" advice).
REBUILD_FROM = 100_000

SECONDARY_INDEXES = text("""
    SELECT c.relname, pg_get_indexdef(i.indexrelid) FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
    WHERE i.indrelid = CAST(:table AS regclass)
      AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid)""")
FOREIGN_KEYS = text("""
    SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint
    WHERE conrelid = CAST(:table AS regclass) AND contype = 'f'""")


def writer_for(session, advance):
    """The writer for the session's database."""
    kind = PostgresWriter if session.get_bind().dialect.name == "postgresql" else SqliteWriter
    return kind(session, advance)


def _chunks(rows):
    iterator = iter(rows)
    while chunk := list(itertools.islice(iterator, CHUNK)):
        yield chunk


class SqliteWriter:
    """executemany through SQLAlchemy Core (so column types convert values as everywhere else)."""

    def __init__(self, session, advance):
        self.session, self.advance = session, advance

    def lock(self):
        """SQLite has one writer at a time already (the first write takes the lock)."""

    def settle(self):
        """Nothing: SQLite's row triggers counted every row as it went in."""

    def reserve(self, name, count):
        """The first of `count` free ids of table `name`."""
        return self.session.execute(text(f"SELECT coalesce(max(id), 0) + 1 FROM {name}")).scalar_one()

    def write(self, name, rows, expected=0):
        """Insert the rows (tuples in rows.COLUMNS order) in chunks."""
        from chatbot.seed.rows import COLUMNS
        model = db.metadata.tables[name]
        # JSON columns receive JSON text already: keep SQLAlchemy from encoding it twice.
        target = table(name, *[column(c, String() if isinstance(model.c[c].type, JSON) else model.c[c].type)
                               for c in COLUMNS[name]])
        for chunk in _chunks(rows):
            self.session.execute(insert(target), [dict(zip(COLUMNS[name], row)) for row in chunk])
            self.advance(len(chunk))

    def finish(self):
        """Fresh planner statistics after the commit."""
        self.session.execute(text("ANALYZE"))
        # Maintenance after the unit of work has committed, not a write: it changes no row, declares
        # no event, and its own short transaction must end here.
        self.session.commit()


class PostgresWriter:
    """COPY ... FROM STDIN on the session's own psycopg connection (same transaction)."""

    def __init__(self, session, advance):
        self.session, self.advance = session, advance
        self.recount = False

    def _sql(self, sql, **params):
        return self.session.execute(text(sql), params)

    def _ddl(self, sql):
        """DDL as written (index definitions hold `::` casts and quotes)."""
        self.session.connection().exec_driver_sql(sql)

    def lock(self):
        """Keep other writers out while ids are reserved and rows copied (readers still read)."""
        self._sql(f"LOCK TABLE {', '.join(TABLES)} IN EXCLUSIVE MODE")

    def settle(self):
        """The maintained counts recounted if a big COPY went in with their trigger off (one recount, not a
        statement per row); small loads were counted by the trigger already."""
        if self.recount:
            counts.lock_for_refill()
            counts.refill()

    def reserve(self, name, count):
        """Take `count` ids from the table's sequence at once; returns the first."""
        if count == 0:
            return 1
        return self._sql(f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                         f"nextval(pg_get_serial_sequence('{name}', 'id')) + :n - 1) - :n + 1",
                         n=count).scalar_one()

    def write(self, name, rows, expected=0):
        """COPY the rows; a big load into a smaller table rebuilds its secondary indexes afterwards."""
        from chatbot.seed.rows import COLUMNS
        raw = self.session.connection().connection.driver_connection
        with self._rebuilding(name, expected), raw.cursor() as cursor:
            with cursor.copy(f"COPY {name} ({', '.join(COLUMNS[name])}) FROM STDIN") as copy:
                for chunk in _chunks(rows):
                    for row in chunk:
                        copy.write_row(row)
                    self.advance(len(chunk))

    @contextlib.contextmanager
    def _rebuilding(self, name, expected):
        """Drop secondary indexes and foreign keys around a big COPY, then build them back (same transaction:
        a failure rolls the whole schema change back). The maintained counts' trigger is off meanwhile (it would
        keep a copy of every row for its transition table); `settle` recounts instead."""
        existing = self._sql("SELECT reltuples FROM pg_class WHERE oid = CAST(:t AS regclass)", t=name).scalar()
        if expected < REBUILD_FROM or expected < (existing or 0):
            yield
            return
        indexes = self._sql(SECONDARY_INDEXES.text, table=name).all()
        foreign = self._sql(FOREIGN_KEYS.text, table=name).all()
        for constraint, _ in foreign:
            self._ddl(f'ALTER TABLE {name} DROP CONSTRAINT "{constraint}"')
        for index, _ in indexes:
            self._ddl(f'DROP INDEX "{index}"')
        counted = name in SOURCES
        if counted:
            self._ddl(f"ALTER TABLE {name} DISABLE TRIGGER {count_triggers.name(name, 'insert')}")
            self.recount = True
        yield
        if counted:
            self._ddl(f"ALTER TABLE {name} ENABLE TRIGGER {count_triggers.name(name, 'insert')}")
        self._ddl("SET LOCAL maintenance_work_mem = '256MB'")
        for _, definition in indexes:
            self._ddl(definition)
        for constraint, definition in foreign:
            self._ddl(f'ALTER TABLE {name} ADD CONSTRAINT "{constraint}" {definition}')

    def finish(self):
        """After the commit: VACUUM ANALYZE, so the planner knows the new sizes and index-only scans work
        (they need the visibility map that VACUUM sets)."""
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text(f"VACUUM (ANALYZE) {', '.join(TABLES)}"))
