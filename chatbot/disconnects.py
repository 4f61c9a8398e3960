"""A dropped database connection (failover, restart, `pg_terminate_backend`) costs no safe request.

- Idle connections killed in the pool: `pool_pre_ping` (chatbot/config.py) replaces them at checkout.
- A connection killed while a GET/HEAD/OPTIONS uses it: the request is run again (before-request checks
  and view), on a fresh connection, up to DB_RETRIES times; reading twice changes nothing.
- An unsafe request that loses its connection is not replayed (it may have committed): 503 in the
  JSON envelope with Retry-After, so the client decides.
- The teardown's ROLLBACK on a dead connection: swallowed and logged, never an HTML page from the server.
"""
import logging

from flask import current_app, g, request
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError

from chatbot.blueprints.errors import envelope, handle_unexpected
from chatbot.extensions import db

log = logging.getLogger(__name__)

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
DB_RETRIES = 2


def is_unavailable(exc):
    """The connection is gone, or the server refuses or cancels work: not a bug of the request."""
    return exc.connection_invalidated or isinstance(exc, (OperationalError, InterfaceError))


def discard_session():
    """Drop the request's session; its connection may be dead, so a failing ROLLBACK is expected."""
    try:
        db.session.remove()
    except DBAPIError as exc:
        log.warning("database session discarded after %s", exc.__class__.__name__)
        db.session.registry.clear()


def handle_database_error(exc):
    """Replay a safe request after a disconnect; else 503 (disconnect) or 500 (anything else), as JSON."""
    if not is_unavailable(exc):
        return handle_unexpected(exc)
    discard_session()
    attempt = g.get("db_retries", 0) + 1
    # Only a connection that died is worth a replay (a fresh one will do); a timeout would just repeat.
    if exc.connection_invalidated and request.method in SAFE_METHODS and attempt <= DB_RETRIES:
        g.db_retries = attempt
        log.warning("database connection lost: %s %s run again", request.method, request.path,
                    extra={"attempt": attempt})
        try:
            return current_app.preprocess_request() or current_app.dispatch_request()
        except Exception as again:  # noqa: BLE001  (its own handler answers: 404, 422, another disconnect...)
            return current_app.handle_user_exception(again)
    log.warning("database unavailable (%s): %s %s answered 503", exc.__class__.__name__, request.method, request.path)
    response = envelope(503, "database_unavailable", "the database is unavailable; try again")
    response.headers["Retry-After"] = "1"
    return response


def teardown_session(_exc):
    """Runs before Flask-SQLAlchemy's own teardown (registered after it), which then has nothing to close."""
    discard_session()


def init_app(app):
    """After `db.init_app`: teardowns run in reverse order, so this one closes the session first."""
    app.teardown_appcontext(teardown_session)
    app.register_error_handler(DBAPIError, handle_database_error)
