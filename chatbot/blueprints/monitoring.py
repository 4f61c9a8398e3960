"""/api/monitoring"""
from flask import Blueprint

from chatbot.blueprints.common import query_args
from chatbot.messaging import monitoring
from chatbot.schemas.monitoring import daily_list_out, daily_query

bp = Blueprint("monitoring", __name__, url_prefix="/api/monitoring")


@bp.get("/daily")
def daily():
    """The daily counters, oldest first."""
    return daily_list_out.dump(monitoring.daily(**query_args(daily_query)))
