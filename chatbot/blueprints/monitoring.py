"""/api/monitoring"""
from flask import Blueprint

from chatbot.blueprints.common import query_args
from chatbot.schemas.message import daily_query
from chatbot.messaging import monitoring

bp = Blueprint("monitoring", __name__, url_prefix="/api/monitoring")


@bp.get("/daily")
def daily():
    """The daily counters, oldest first."""
    return monitoring.daily(**query_args(daily_query))
