"""Campaigns: create, list, detail, and a set-based launch."""
from sqlalchemy import JSON, Integer, SmallInteger, String, func, insert, literal, select, update

from chatbot.clock import utcnow
from chatbot.errors import Conflict
from chatbot.extensions import db
from chatbot.models import Campaign, Message, campaign_categories, contact_categories
from chatbot.models.base import UTCDateTime
from chatbot.schemas.campaign import campaign_list_out, campaign_out
from chatbot.services.common import category_ids_of, check_category_ids, get_or_404
from chatbot.sql import insert_links
from chatbot.unit_of_work import writing


def _category_ids_by_campaign(campaign_ids):
    """{campaign_id: [category ids]} in one statement."""
    return category_ids_of(campaign_categories, "campaign_id", campaign_ids)


def _with_category_ids(campaigns):
    """Each campaign's fields and its category ids, ready to dump."""
    ids = _category_ids_by_campaign([c.id for c in campaigns])
    columns = [name for name in campaign_out.fields if name != "category_ids"]
    return [{**{name: getattr(c, name) for name in columns}, "category_ids": ids[c.id]} for c in campaigns]


def list_campaigns():
    """Every campaign, newest first, in two statements."""
    campaigns = db.session.scalars(select(Campaign).order_by(Campaign.created_at.desc(), Campaign.id.desc())).all()
    return campaign_list_out.dump({"items": _with_category_ids(campaigns)})


def get_campaign(campaign_id):
    """One campaign with its counters and category ids."""
    return campaign_out.dump(_with_category_ids([get_or_404(Campaign, campaign_id, "campaign")])[0])


def create_campaign(data):
    """A draft campaign targeting existing categories."""
    with writing() as uow:
        check_category_ids(data["category_ids"])
        campaign = Campaign(name=data["name"], status="draft", first_message=data["first_message"],
                            second_message=data["second_message"])
        db.session.add(campaign)
        db.session.flush()
        insert_links(campaign_categories,
                     [{"campaign_id": campaign.id, "category_id": cid} for cid in data["category_ids"]])
        uow.emit("campaign.created", campaign_id=campaign.id)
    return get_campaign(campaign.id)


def _queue_first_messages(campaign, now):
    """INSERT ... SELECT: one pending first message per distinct contact of the campaign's categories.

    One statement whatever the number of contacts; returns how many rows it queued.
    """
    targets = select(campaign_categories.c.category_id).where(campaign_categories.c.campaign_id == campaign.id)
    rows = (select(literal(campaign.id, Integer), contact_categories.c.contact_id,
                   literal(1, SmallInteger), literal("pending", String), literal(campaign.first_message, JSON),
                   literal(now, UTCDateTime), literal(now, UTCDateTime), literal(0, Integer))
            .where(contact_categories.c.category_id.in_(targets))
            .group_by(contact_categories.c.contact_id))
    columns = ["campaign_id", "contact_id", "step", "status", "body", "created_at", "updated_at", "attempts"]
    db.session.execute(insert(Message).from_select(columns, rows))
    # rowcount of INSERT ... SELECT is not reported by every driver: count what is there.
    return db.session.scalar(select(func.count()).select_from(Message)
                             .where(Message.campaign_id == campaign.id, Message.step == 1))


def launch_campaign(campaign_id):
    """Draft -> running, queueing its first messages; 409 if it is not a draft (checked atomically)."""
    with writing() as uow:
        campaign = get_or_404(Campaign, campaign_id, "campaign")
        now = utcnow()
        claimed = db.session.execute(
            update(Campaign).where(Campaign.id == campaign_id, Campaign.status == "draft")
            .values(status="running", launched_at=now, updated_at=now))
        if claimed.rowcount != 1:
            raise Conflict(f"campaign {campaign_id} is not a draft", {"status": [campaign.status]})
        queued = _queue_first_messages(campaign, now)
        db.session.execute(update(Campaign).where(Campaign.id == campaign_id).values(total_count=queued))
        uow.emit("campaign.launched", campaign_id=campaign_id)
    return get_campaign(campaign_id)
