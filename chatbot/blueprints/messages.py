"""/api/messages and the statistics."""
from flask import Blueprint

from chatbot.blueprints.common import cached, query_args
from chatbot.security.folded import limit_in_cache_read
from chatbot.schemas.fields import MAX_BIG_ID
from chatbot.schemas.message import message_detail_out, message_page_out, message_query
from chatbot.services import messages, stats

bp = Blueprint("messages", __name__, url_prefix="/api/messages")


@bp.get("")
def all():
    """Slim rows, newest first, keyset cursor."""
    return message_page_out.dump(messages.list_messages(**query_args(message_query)))


@bp.get("/stats")
@limit_in_cache_read
def statistics():
    """The global statistics (cached)."""
    return cached(stats.get_stats_json())


@bp.get(f"/<int(max={MAX_BIG_ID}):message_id>")
def get(message_id):
    """One message with its contact and campaign."""
    return message_detail_out.dump(messages.get_message(message_id))
