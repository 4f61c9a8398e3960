"""/api/campaigns"""
from flask import Blueprint

from chatbot.blueprints.common import json_body
from chatbot.schemas.campaign import campaign_in
from chatbot.services import campaigns

bp = Blueprint("campaigns", __name__, url_prefix="/api/campaigns")


@bp.get("")
def all():
    """Every campaign, newest first."""
    return campaigns.list_campaigns()


@bp.post("")
def new():
    """Create a draft campaign."""
    return campaigns.create_campaign(json_body(campaign_in)), 201


@bp.get("/<int:campaign_id>")
def get(campaign_id):
    """One campaign with its counters."""
    return campaigns.get_campaign(campaign_id)


@bp.post("/<int:campaign_id>/launch")
def launch(campaign_id):
    """Queue the first messages; 409 unless it is a draft."""
    return campaigns.launch_campaign(campaign_id), 202
