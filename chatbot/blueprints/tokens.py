"""/api/tokens: personal tokens for scripts (each caller's own; an admin sees and revokes everyone's)."""
from flask import Blueprint

from chatbot.principals import current_principal
from chatbot.blueprints.common import json_body
from chatbot.schemas.account import new_token_out, token_in, token_list_out
from chatbot.services import credentials

bp = Blueprint("tokens", __name__, url_prefix="/api/tokens")


@bp.get("")
def all():
    """The caller's unrevoked tokens (an admin: all), without secrets."""
    return token_list_out.dump(credentials.list_tokens(current_principal()))


@bp.post("")
def new():
    """A new token for the caller: the secret is in this answer only."""
    return new_token_out.dump(credentials.create_token(current_principal(), json_body(token_in))), 201


@bp.delete("/<int:token_id>")
def delete(token_id):
    """Revoke a token: the next request with it is 401, in every process."""
    credentials.revoke_token(current_principal(), token_id)
    return "", 204
