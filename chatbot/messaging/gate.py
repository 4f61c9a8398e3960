"""The pause gate: a pause answers only once no dispatch batch that could still send its messages is in flight.

Each dispatch batch holds a shared pass from before its claim (which skips paused campaigns) until its sends
are settled; pausing commits `paused`, then takes the gate exclusively once (`drain`), waiting for the batches
in flight. A batch claimed after the commit sees `paused` and leaves the campaign's messages queued, so nothing
of a paused campaign is sent after its pause answered.

On PostgreSQL the gate is an advisory lock, so it holds across processes: a batch's pass is a session-level
shared lock on a connection of its own, and `drain` takes it exclusively. PostgreSQL queues a new shared request
behind a waiting exclusive one, and refuses a try-lock then, so a dispatcher asks with `try_enter` while it still
holds a pass (it pipelines batch N+1 while N settles): refused, it settles N first, then waits its turn with
`enter`. A pause thus waits for the batches in flight, about one per dispatcher, never for a stream of new ones.
(One connection cannot hold two passes: PostgreSQL grants a lock a session already holds at once, ahead of the
queue.)

On SQLite (one host, development) the gate is process-local: a readers-writer lock with the same queueing.
It does not hold across processes there (gunicorn with several workers and the scheduler on).
"""
import threading

from sqlalchemy import text

from chatbot.extensions import db

# pg advisory lock key: any constant bigint no other code of ours uses ("pause" in ASCII).
ADVISORY_KEY = 0x7061757365


class AdvisoryPass:
    """A shared hold of the gate on a connection of its own (PostgreSQL)."""

    def __init__(self, connection):
        self.connection = connection

    def leave(self):
        """Release the shared lock and give the connection back (dropped if the unlock failed)."""
        try:
            self.connection.execute(text("SELECT pg_advisory_unlock_shared(:key)"), {"key": ADVISORY_KEY})
        except Exception:
            self.connection.detach()  # closed, not pooled: a connection that may still hold the lock
            raise
        finally:
            self.connection.close()


class AdvisoryGate:
    """The gate as a PostgreSQL advisory lock: shared for dispatch batches, exclusive for a pause."""

    def __init__(self, engine):
        self.engine = engine

    def _connect(self):
        """A connection of its own, outside any transaction: a session-level lock needs none, and none is left
        open while a batch is sent."""
        return self.engine.connect().execution_options(isolation_level="AUTOCOMMIT")

    def _shared(self, function):
        connection = self._connect()
        try:
            got = connection.execute(text(f"SELECT {function}(:key)"), {"key": ADVISORY_KEY}).scalar()
        except BaseException:
            connection.detach()  # interrupted while waiting: the lock may have been granted meanwhile
            connection.close()
            raise
        if got is False:
            connection.close()
            return None
        return AdvisoryPass(connection)

    def try_enter(self):
        """A pass now, or None when a pause is waiting (or holding the gate)."""
        return self._shared("pg_try_advisory_lock_shared")

    def enter(self):
        """A pass, waiting behind a pause that asked first."""
        return self._shared("pg_advisory_lock_shared")

    def drain(self):
        """Wait until no pass taken before this call is held (exclusive lock, taken and released)."""
        with self._connect() as connection:
            connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": ADVISORY_KEY})
            connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": ADVISORY_KEY})


class LocalPass:
    """A shared hold of a LocalGate."""

    def __init__(self, gate):
        self.gate = gate

    def leave(self):
        """Release it."""
        with self.gate.changed:
            self.gate.readers -= 1
            self.gate.changed.notify_all()


class LocalGate:
    """The gate within one process (SQLite): a readers-writer lock where a waiting drain stops new passes."""

    def __init__(self):
        self.changed = threading.Condition()
        self.readers = 0
        self.draining = 0

    def try_enter(self):
        """A pass now, or None while a drain waits."""
        with self.changed:
            if self.draining:
                return None
            self.readers += 1
            return LocalPass(self)

    def enter(self):
        """A pass, once no drain waits."""
        with self.changed:
            self.changed.wait_for(lambda: not self.draining)
            self.readers += 1
            return LocalPass(self)

    def drain(self):
        """Wait until the passes held now are left."""
        with self.changed:
            self.draining += 1
            try:
                self.changed.wait_for(lambda: self.readers == 0)
            finally:
                self.draining -= 1
                self.changed.notify_all()


_local = LocalGate()


def get_gate():
    """The gate for the app's database: an advisory lock on PostgreSQL, process-local on SQLite."""
    engine = db.engine
    return AdvisoryGate(engine) if engine.dialect.name == "postgresql" else _local
