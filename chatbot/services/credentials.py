"""Sessions and personal tokens: issue, look up (one indexed read each), end; and whether the API is still open.

A session or token is a random secret given to the client once; the database keeps its SHA-256 only. Every
request looks its row up joined with the user (active, role), so a logout, a revoked token, a deactivated or
deleted user stops the very next request in every process: nothing is cached in a process.
"""
import datetime as dt
import secrets

from flask import current_app
from sqlalchemy import delete, exists, select, update
from sqlalchemy.exc import SQLAlchemyError

from chatbot.principals import Principal, csrf_for, secret_hash
from chatbot.clock import get_clock, utcnow
from chatbot.errors import Forbidden, NotFound
from chatbot.extensions import db
from chatbot.models import ApiToken, User, UserSession
from chatbot.unit_of_work import writing

TOKEN_PREFIX = "cbt_"  # recognisable in a leaked file or a secret scanner


def _unexpired(column):
    """`column` is unset or still ahead of now."""
    return column.is_(None) | (column > utcnow())


def session_principal(secret):
    """The principal of a session cookie, or None (unknown, expired, ended, user inactive)."""
    row = db.session.execute(
        select(UserSession.id, User.id.label("user_id"), User.email, User.role)
        .join(User, User.id == UserSession.user_id)
        .where(UserSession.secret_hash == secret_hash(secret), UserSession.expires_at > utcnow(), User.active)
    ).first()
    if row is None:
        return None
    return Principal("session", row.role, row.user_id, row.email, f"session:{row.id}", csrf_for(secret), row.email)


def token_principal(token):
    """The principal of a personal token, or None (unknown, expired, revoked, user inactive)."""
    row = db.session.execute(
        select(ApiToken.id, ApiToken.name, User.id.label("user_id"), User.email, User.role)
        .join(User, User.id == ApiToken.user_id)
        .where(ApiToken.secret_hash == secret_hash(token), ApiToken.revoked_at.is_(None),
               _unexpired(ApiToken.expires_at), User.active)
    ).first()
    if row is None:
        return None
    return Principal("token", row.role, row.user_id, f"{row.name} ({row.email})", f"token:{row.id}", email=row.email)


def still_valid(ref):
    """Is the session or token `ref` ("session:<id>", "token:<id>") still accepted?"""
    kind, _, raw_id = ref.partition(":")
    model = UserSession if kind == "session" else ApiToken
    query = (select(model.id).join(User, User.id == model.user_id)
             .where(model.id == int(raw_id), User.active, _unexpired(model.expires_at)))
    if model is ApiToken:
        query = query.where(ApiToken.revoked_at.is_(None))
    found = db.session.scalar(query) is not None
    db.session.rollback()  # a stream's heartbeat must not hold a transaction open
    return found


def start_session(user, old_secret=None):
    """A new session for `user` (its secret, for the cookie): the one the browser held ends (rotation at login),
    with the user's expired ones; last_login_at is set."""
    secret = secrets.token_urlsafe(32)
    now = utcnow()
    with writing() as uow:
        stale = UserSession.expires_at <= now
        if old_secret:
            stale = stale | (UserSession.secret_hash == secret_hash(old_secret))
        db.session.execute(delete(UserSession).where(UserSession.user_id == user.id, stale))
        expires = now + dt.timedelta(hours=current_app.config["SESSION_HOURS"])
        db.session.add(UserSession(secret_hash=secret_hash(secret), user_id=user.id, created_at=now,
                                   expires_at=expires))
        db.session.execute(update(User).where(User.id == user.id).values(last_login_at=now))
        uow.emit("session.started", user_id=user.id)
    return secret


def end_session(secret):
    """Delete the session of this cookie (nothing if it is already gone)."""
    with writing() as uow:
        user_id = db.session.scalar(delete(UserSession).where(UserSession.secret_hash == secret_hash(secret))
                                    .returning(UserSession.user_id))
        if user_id is not None:
            uow.emit("session.ended", user_id=user_id)


def create_token(principal, data):
    """A personal token for the calling user: {"id", "name", "token", "expires_at"}, the secret shown once."""
    if principal.user_id is None:
        raise Forbidden("personal tokens belong to users: log in (API_TOKEN has no user)")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with writing() as uow:
        row = ApiToken(user_id=principal.user_id, name=data["name"], secret_hash=secret_hash(token),
                       expires_at=data.get("expires_at"))
        db.session.add(row)
        db.session.flush()
        uow.emit("token.created", token_id=row.id, user_id=principal.user_id)
    return {"id": row.id, "name": row.name, "token": token, "expires_at": row.expires_at}


def _visible(principal):
    """The caller's tokens; an admin's: everyone's."""
    query = select(ApiToken).where(ApiToken.revoked_at.is_(None))
    if principal.role != "admin":
        query = query.where(ApiToken.user_id == principal.user_id)
    return query


def list_tokens(principal):
    """{"items": [...]}: unrevoked tokens, newest first, without secrets."""
    return {"items": db.session.scalars(_visible(principal).order_by(ApiToken.id.desc())).all()}


def revoke_token(principal, token_id):
    """Revoke a token now (the next request with it is 401 everywhere); 404 if it is not the caller's to see."""
    with writing() as uow:
        changed = db.session.execute(update(ApiToken).where(ApiToken.id == token_id, ApiToken.id.in_(
            _visible(principal).with_only_columns(ApiToken.id))).values(revoked_at=utcnow())).rowcount
        if not changed:
            raise NotFound(f"token {token_id} not found")
        uow.emit("token.revoked", token_id=token_id)


def api_open():
    """No API_TOKEN and no user: the development API, open as before accounts. Checked again every
    AUTH_OPEN_RECHECK_SECONDS while open (another process may have created the first user)."""
    app = current_app
    if app.config.get("API_TOKEN"):
        return False
    state = app.extensions["auth_open"]
    if state["open"] and get_clock(app).monotonic() >= state["checked_at"] + app.config["AUTH_OPEN_RECHECK_SECONDS"]:
        _look_for_users(app)
    return state["open"]


def _look_for_users(app):
    """Close the API for good in this process once any user exists (a missing table: still open)."""
    state = app.extensions["auth_open"]
    try:
        state["open"] = not db.session.scalar(select(exists().where(User.id.is_not(None))))
    except SQLAlchemyError:
        db.session.rollback()  # no users table yet (before `flask db upgrade`), or the database is away
    state["checked_at"] = get_clock(app).monotonic()


def close_api(events):
    """After-commit effect: a user created in this process closes its open API at once."""
    if any(event.name == "user.created" for event in events):
        current_app.extensions["auth_open"]["open"] = False


def init_app(app):
    """Whether the API starts open: no API_TOKEN and no user in the database (one read at start)."""
    from chatbot import unit_of_work
    # Production never runs open (it started with API_TOKEN or an admin user), even if this read fails.
    may_open = not app.config.get("API_TOKEN") and app.config["APP_ENV"] != "production"
    app.extensions["auth_open"] = {"open": may_open, "checked_at": 0.0}
    if may_open:
        with app.app_context():
            _look_for_users(app)
            db.session.remove()
    unit_of_work.on_after_commit(app, close_api)
