"""The unit of work: the one way to write.

    with writing(conflict=DUPLICATE_PHONE) as uow:
        ...session writes...
        uow.emit("contact.created", contact_id=contact.id, category_ids=ids)

Leaving the block runs, in order: the before-commit effects (inside the transaction, seeing the
declared events: an audit row, a durable record of an invalidation Redis cannot take now), the commit,
then the after-commit effects (cache invalidation, daily counters, events to dashboards). A block that
raises rolls back and runs no effect at all; an integrity error becomes the contract's 409. Effects are
lists that subsystems add to in their `init_app` (`on_before_commit`, `on_after_commit`), not code here.

`run(work)` is the same for work that must be re-run whole after a deadlock or a busy SQLite.
`Batch` gathers the events of many small units of work (a dispatch batch commits each send as it
comes back, a sweep each chunk) and runs the after-commit effects once for all of them.
"""
import contextlib
import dataclasses
import logging
import threading

from flask import current_app
from sqlalchemy.exc import DBAPIError, IntegrityError

from chatbot.errors import Conflict
from chatbot.events import EVENTS
from chatbot.extensions import db

log = logging.getLogger(__name__)

# Deadlock, serialization failure, lock not available: the whole transaction can simply run again.
RETRYABLE_SQLSTATES = {"40P01", "40001", "55P03"}
FOREIGN_KEY_SQLSTATE = "23503"
GONE = "a row this write refers to was deleted meanwhile"
# session.info key: the Batch the committing unit of work belongs to, for before-commit effects (the audit writes
# one row per batch).
BATCH_INFO = "chatbot.unit_of_work.batch"


@dataclasses.dataclass(frozen=True)
class Event:
    """One declared change: a name from chatbot/events.py and the ids it concerns."""

    name: str
    params: dict


class UnitOfWork:
    """What one transaction declares it changed."""

    def __init__(self):
        self.events = []

    def emit(self, name, **params):
        """Declare a change; the effects act on it once the transaction commits."""
        if name not in EVENTS:
            raise KeyError(f"undeclared event {name!r} (see chatbot/events.py)")
        self.events.append(Event(name, params))


class Effects:
    """The app's effect lists: fn(events) before the commit (same transaction) and after it."""

    def __init__(self):
        self.before_commit = []
        self.after_commit = []


def effects(app=None):
    """This app's effects."""
    return (app or current_app).extensions["unit_of_work"]


def on_before_commit(app, effect):
    """Run `effect(events)` inside every write's transaction, just before its commit."""
    effects(app).before_commit.append(effect)


def on_after_commit(app, effect):
    """Run `effect(events)` after every write's commit (never for a rolled-back write)."""
    effects(app).after_commit.append(effect)


def run_after_commit(events):
    """Every after-commit effect, each even if one before it failed; the first failure is raised after."""
    if not events:
        return
    failure = None
    for effect in effects().after_commit:
        try:
            effect(events)
        except Exception as exc:  # the write is committed: the other effects must still run
            log.exception("after-commit effect %s failed", getattr(effect, "__name__", effect))
            failure = failure or exc
    if failure is not None:
        raise failure


def _conflict(exc, conflict):
    """The 409 for an integrity error: a unique rule broken, or a row deleted by a concurrent write."""
    orig = getattr(exc, "orig", None)
    if getattr(orig, "sqlstate", None) == FOREIGN_KEY_SQLSTATE or "FOREIGN KEY" in str(orig):
        return Conflict(GONE)
    message, field = conflict if isinstance(conflict, tuple) else (conflict or "conflict", None)
    return Conflict(message, {field: [message]} if field else None)


def _retryable(exc):
    """A deadlock, a serialization failure or a busy SQLite: worth running again."""
    sqlstate = getattr(getattr(exc, "orig", None), "sqlstate", None)
    return sqlstate in RETRYABLE_SQLSTATES or "database is locked" in str(exc)


def _commit(uow, batch=None):
    """Before-commit effects (they may ask session.info[BATCH_INFO] for the batch), then the commit."""
    db.session.info[BATCH_INFO] = batch
    try:
        for effect in effects().before_commit:
            effect(uow.events)
    finally:
        db.session.info.pop(BATCH_INFO, None)
    db.session.commit()


@contextlib.contextmanager
def writing(conflict=None, batch=None):
    """A transaction around the block; `conflict` (message or (message, field)) is the 409 of an integrity error.

    With `batch`, the after-commit effects are left to the Batch (run once for all its units of work).
    """
    uow = UnitOfWork()
    try:
        yield uow
        _commit(uow, batch)
    except IntegrityError as exc:
        db.session.rollback()
        raise _conflict(exc, conflict) from exc
    except BaseException:
        db.session.rollback()
        raise
    _announce(uow.events, batch)


def run(work, attempts=3, conflict=None, batch=None):
    """`work(uow)` in a unit of work, re-run whole (up to `attempts`) after a deadlock or a busy SQLite."""
    for attempt in range(1, attempts + 1):
        uow = UnitOfWork()
        try:
            result = work(uow)
            _commit(uow, batch)
        except IntegrityError as exc:
            db.session.rollback()
            raise _conflict(exc, conflict) from exc
        except DBAPIError as exc:
            db.session.rollback()
            if attempt == attempts or not _retryable(exc):
                raise
            log.warning("transaction retried after %s", exc.__class__.__name__, extra={"attempt": attempt})
            continue
        except BaseException:
            db.session.rollback()
            raise
        _announce(uow.events, batch)
        return result


def _announce(events, batch):
    """After a commit: the effects now, or later with the batch."""
    if batch is not None:
        batch.add(events)
    else:
        run_after_commit(events)


class Batch:
    """Events of several committed units of work (any thread), announced once by `flush()`.

    As a context manager it flushes on exit, also when the work failed half-way: what committed
    before the failure is announced all the same.
    """

    def __init__(self):
        self.events = []
        self._lock = threading.Lock()
        self._audited = False

    def first_audit(self):
        """True once: for the first of its units of work to write the batch's audit row."""
        with self._lock:
            first, self._audited = not self._audited, True
            return first

    def add(self, events):
        """Keep the events of one committed unit of work."""
        with self._lock:
            self.events.extend(events)

    def flush(self):
        """Run the after-commit effects once for everything gathered so far."""
        with self._lock:
            events, self.events = self.events, []
        run_after_commit(events)

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.flush()


def init_app(app):
    """Empty effect lists; the cache, monitoring (and later subsystems) add theirs in their init_app."""
    app.extensions["unit_of_work"] = Effects()
