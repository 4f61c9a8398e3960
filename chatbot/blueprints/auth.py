"""/api/auth: log in (a session cookie), log out, who am I."""
from flask import Blueprint, current_app, request

from chatbot import auth, principals
from chatbot.blueprints.common import json_body
from chatbot.schemas.account import login_in, login_out, me_out
from chatbot.services import accounts, credentials

bp = Blueprint("auth", __name__, url_prefix="/api/auth")


@bp.post("/login")
def login():
    """Check email and password; start a new session (its cookie replaces any the browser held)."""
    data = json_body(login_in)
    user = accounts.authenticate(data["email"], data["password"], request.remote_addr or "unknown")
    principals.act_as(accounts.principal_of(user))  # the audit's actor of the login
    secret = credentials.start_session(user, request.cookies.get(auth.SESSION_COOKIE))
    response = current_app.make_response(login_out.dump(
        {"email": user.email, "role": user.role, "csrf_token": principals.csrf_for(secret)}))
    _set_cookie(response, secret)
    return response


@bp.post("/logout")
def logout():
    """End this session (bearer callers: nothing to end)."""
    secret = request.cookies.get(auth.SESSION_COOKIE)
    if secret and principals.current_principal().kind == "session":
        credentials.end_session(secret)
    response = current_app.make_response(("", 204))
    response.delete_cookie(auth.SESSION_COOKIE, path="/", httponly=True, samesite="Lax", secure=_secure())
    return response


@bp.get("/me")
def me():
    """The caller: id (null for API_TOKEN and the open development API), email, role, CSRF token."""
    principal = principals.current_principal()
    return me_out.dump({"id": principal.user_id, "email": principal.email, "role": principal.role,
                        "csrf_token": principal.csrf_token})


def _secure():
    """Secure cookies in production (HTTPS only); plain HTTP works in development."""
    return current_app.config["APP_ENV"] == "production"


def _set_cookie(response, secret):
    """The session cookie: HttpOnly (no script reads it), SameSite=Lax, expiring with the session."""
    response.set_cookie(auth.SESSION_COOKIE, secret, max_age=int(current_app.config["SESSION_HOURS"] * 3600),
                        path="/", httponly=True, samesite="Lax", secure=_secure())
