"""/api/audit (admin only): who wrote what, newest first."""
from flask import Blueprint

from chatbot.blueprints.common import query_args
from chatbot.schemas.account import audit_page_out, audit_query
from chatbot.services import audit

bp = Blueprint("audit", __name__, url_prefix="/api/audit")


@bp.get("")
def all():
    """A page of the audit log, filtered by user or event name."""
    return audit_page_out.dump(audit.list_entries(**query_args(audit_query)))
