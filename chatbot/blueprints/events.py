"""/api/events: the live stream of what changed, and the tickets that open it."""
from flask import Blueprint, request

from chatbot import auth, live
from chatbot.blueprints.common import query_args
from chatbot.live import tickets
from chatbot.schemas.events import event_ticket_out, events_query

bp = Blueprint("events", __name__, url_prefix="/api/events")


@bp.post("/ticket")
def ticket():
    """A single-use ticket (60 s) for GET /api/events, bound to the caller's credential."""
    return event_ticket_out.dump(tickets.issue(auth.current_credential()))


@bp.get("")
def stream():
    """Server-Sent Events: coalesced event sets, cache metrics, heartbeats; 401 without a valid ticket."""
    args = query_args(events_query)
    credential = tickets.redeem(args.get("ticket"))
    resync = bool(request.headers.get("Last-Event-ID") or args.get("last_event_id"))
    return live.open_stream(credential, resync)
