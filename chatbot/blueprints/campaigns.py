"""/api/campaigns"""
from flask import Blueprint

from chatbot.blueprints.common import json_body, query_args
from chatbot.schemas.campaign import audience_query, campaign_in, campaign_patch, timeline_query
from chatbot.services import campaigns, timeline as timelines

bp = Blueprint("campaigns", __name__, url_prefix="/api/campaigns")


@bp.get("")
def all():
    """Every campaign, newest first."""
    return campaigns.list_campaigns()


@bp.post("")
def new():
    """Create a draft campaign."""
    return campaigns.create_campaign(json_body(campaign_in)), 201


@bp.get("/audience")
def audience():
    """How many contacts a launch to these categories would queue now, and the opted-out ones left out."""
    return campaigns.audience(query_args(audience_query)["category_ids"])


@bp.get("/<int:campaign_id>")
def get(campaign_id):
    """One campaign with its counters."""
    return campaigns.get_campaign(campaign_id)


@bp.get("/<int:campaign_id>/history")
def history(campaign_id):
    """Who created, edited, launched, paused and resumed the campaign (any role may read it)."""
    return campaigns.history(campaign_id)


@bp.patch("/<int:campaign_id>")
def patch(campaign_id):
    """Edit a draft; 409 unless it is a draft."""
    return campaigns.update_campaign(campaign_id, json_body(campaign_patch))


@bp.delete("/<int:campaign_id>")
def delete(campaign_id):
    """Delete a draft; 409 unless it is a draft."""
    campaigns.delete_campaign(campaign_id)
    return "", 204


@bp.post("/<int:campaign_id>/launch")
def launch(campaign_id):
    """Queue the first messages; 409 unless it is a draft."""
    return campaigns.launch_campaign(campaign_id), 202


@bp.post("/<int:campaign_id>/pause")
def pause(campaign_id):
    """Stop sending; answers once nothing more of it can be sent; 409 unless running."""
    return campaigns.pause_campaign(campaign_id)


@bp.post("/<int:campaign_id>/resume")
def resume(campaign_id):
    """Send its pending messages again; 409 unless paused."""
    return campaigns.resume_campaign(campaign_id)


@bp.get("/<int:campaign_id>/timeline")
def timeline(campaign_id):
    """Its first messages' events per hour or day, oldest first."""
    return timelines.timeline(campaign_id, query_args(timeline_query)["bucket"])
