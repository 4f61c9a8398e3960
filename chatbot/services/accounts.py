"""Users: create, list, change, delete, log in; the last active admin cannot be removed or demoted."""
from flask import current_app
from sqlalchemy import create_engine, delete, func, select, text
from sqlalchemy.exc import SQLAlchemyError

from chatbot.principals import Principal
from chatbot.errors import Conflict, Unauthorized
from chatbot.extensions import db
from chatbot.models import User, UserSession
from chatbot.security.passwords import hash_password, needs_rehash, verify_password
from chatbot.security.ratelimit import failure_limit
from chatbot.services.common import get_or_404
from chatbot.unit_of_work import writing

DUPLICATE = "a user with this email already exists"
LAST_ADMIN = "the last active admin cannot be removed, deactivated or demoted"
WRONG = "wrong email or password"


def _by_email(email):
    """The user with this email in any case, or None."""
    return db.session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))


def create_user(email, password, role):
    """Insert a user (409 if the email exists in any case)."""
    with writing(conflict=(DUPLICATE, "email")) as uow:
        if _by_email(email) is not None:
            raise Conflict(DUPLICATE, {"email": [DUPLICATE]})
        user = User(email=email.strip(), password_hash=hash_password(password), role=role, active=True)
        db.session.add(user)
        db.session.flush()
        uow.emit("user.created", user_id=user.id)
    return user


def list_users():
    """Every user, by email."""
    return db.session.scalars(select(User).order_by(func.lower(User.email))).all()


def _check_admins_left(user, data):
    """409 when this change would leave no active admin."""
    stays_admin = data.get("role", user.role) == "admin" and data.get("active", user.active)
    if user.role != "admin" or not user.active or stays_admin:
        return
    others = db.session.scalar(select(func.count()).select_from(User).where(
        User.role == "admin", User.active, User.id != user.id))
    if not others:
        raise Conflict(LAST_ADMIN)


def update_user(user_id, data):
    """Change role, active or password; a deactivation or a new password ends the user's sessions."""
    with writing() as uow:
        user = get_or_404(User, user_id, "user")
        _check_admins_left(user, data)
        for field in ("role", "active"):
            if field in data:
                setattr(user, field, data[field])
        if "password" in data:
            user.password_hash = hash_password(data["password"])
        if "password" in data or data.get("active") is False:
            db.session.execute(delete(UserSession).where(UserSession.user_id == user_id))
        uow.emit("user.updated", user_id=user_id)
    return user


def delete_user(user_id):
    """Delete a user (their sessions and tokens go with them; their audit rows stay, actor label kept)."""
    with writing() as uow:
        user = get_or_404(User, user_id, "user")
        _check_admins_left(user, {"active": False})
        db.session.delete(user)
        uow.emit("user.deleted", user_id=user_id)


def deactivate(email):
    """The CLI's `users deactivate EMAIL`: the user, now inactive (None if there is none)."""
    user = _by_email(email)
    db.session.rollback()
    return None if user is None else update_user(user.id, {"active": False})


def authenticate(email, password, address):
    """The active user with this email and password, else 401 (the same answer, in the same time, for an
    unknown email); 429 once the email or the address has used up LOGIN_FAILURE_LIMIT failures."""
    limit = failure_limit("login", current_app.config["LOGIN_FAILURE_LIMIT"])
    keys = ("email:" + email.strip().lower(), "address:" + address)
    for key in keys:
        limit.check(key)
    user = _by_email(email)
    # Always one argon2 verification: an unknown email costs what a wrong password costs.
    matches = verify_password(user.password_hash if user else None, password)
    if not (matches and user.active):
        for key in keys:
            limit.fail(key)
        db.session.rollback()
        raise Unauthorized(WRONG)
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)  # committed with the session's start
    return user


def principal_of(user):
    """The principal a login acts as (the audit's actor for the session it starts)."""
    return Principal("session", user.role, user.id, user.email, email=user.email)


def admin_exists(database_uri):
    """Is there an active admin? For production's start-up check, before the app's database is bound."""
    engine = create_engine(database_uri)
    try:
        with engine.connect() as connection:
            return connection.execute(text("SELECT 1 FROM users WHERE role = 'admin' AND active LIMIT 1")).first() \
                is not None
    except SQLAlchemyError:
        return False
    finally:
        engine.dispose()
