"""/api/interactions: the answers inbox."""
from flask import Blueprint

from chatbot.blueprints.common import query_args
from chatbot.schemas.interaction import interaction_page_out, interaction_query
from chatbot.services import interactions

bp = Blueprint("interactions", __name__, url_prefix="/api/interactions")


@bp.get("")
def all():
    """Contacts' answers, newest first, keyset cursor."""
    return interaction_page_out.dump(interactions.list_interactions(**query_args(interaction_query)))
