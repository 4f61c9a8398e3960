"""/api/users (admin only: chatbot/security/access.py)."""
from flask import Blueprint

from chatbot.blueprints.common import json_body
from chatbot.schemas.account import user_in, user_list_out, user_out, user_patch
from chatbot.services import accounts

bp = Blueprint("users", __name__, url_prefix="/api/users")


@bp.get("")
def all():
    """Every user, by email; never a password hash."""
    return user_list_out.dump({"items": accounts.list_users()})


@bp.post("")
def new():
    """Create a user with a role."""
    data = json_body(user_in)
    return user_out.dump(accounts.create_user(data["email"], data["password"], data["role"])), 201


@bp.patch("/<int:user_id>")
def patch(user_id):
    """Change a user's role, active flag or password."""
    return user_out.dump(accounts.update_user(user_id, json_body(user_patch)))


@bp.delete("/<int:user_id>")
def delete(user_id):
    """Delete a user (their sessions and tokens end)."""
    accounts.delete_user(user_id)
    return "", 204
