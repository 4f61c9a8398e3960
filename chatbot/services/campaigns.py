"""Campaigns: create, list, detail, edit and delete a draft, the audience, a set-based launch, pause and resume."""
from sqlalchemy import JSON, Integer, SmallInteger, String, case, delete, func, insert, literal, select, update

from chatbot.clock import utcnow
from chatbot.errors import Conflict
from chatbot.extensions import db
from chatbot.messaging.gate import get_gate
from chatbot.models import Campaign, Category, Contact, Message, campaign_categories, contact_categories
from chatbot.models.base import UTCDateTime
from chatbot.schemas.campaign import audience_out, campaign_history_out, campaign_list_out, campaign_out
from chatbot.services.audit import campaign_history
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
    """One campaign with its counters and category ids (what writes answer)."""
    return campaign_out.dump(_with_category_ids([get_or_404(Campaign, campaign_id, "campaign")])[0])


def history(campaign_id):
    """{"items"}: who created, edited, launched, paused and resumed the campaign, when (404 if it is gone)."""
    get_or_404(Campaign, campaign_id, "campaign")
    return campaign_history_out.dump({"items": campaign_history(campaign_id)})


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


def reachable():
    """The one rule for who may get a campaign's messages: not opted out (the audience and launch both use it)."""
    return Contact.opted_out_at.is_(None)


def in_categories(category_ids):
    """Contacts in any of these categories (ids, or a select of them): each once, however many it is in."""
    return Contact.id.in_(select(contact_categories.c.contact_id)
                          .where(contact_categories.c.category_id.in_(category_ids)))


def audience(category_ids):
    """{"contacts", "opted_out"} a launch to these categories would queue now; 422 for an unknown id.

    One statement: both counts, and how many of the ids exist (the unknown ones are looked up only to say which).
    """
    known = select(func.count()).select_from(Category).where(Category.id.in_(category_ids)).scalar_subquery()
    row = db.session.execute(
        select(func.count(case((reachable(), 1))), func.count(case((~reachable(), 1))), known)
        .select_from(Contact).where(in_categories(category_ids))).one()
    if row[2] != len(category_ids):
        check_category_ids(category_ids)
    return audience_out.dump({"contacts": row[0], "opted_out": row[1]})


def _claim_draft(campaign_id, campaign, **values):
    """UPDATE ... WHERE status = 'draft' (atomic against a launch); 409 if it is not a draft."""
    changed = db.session.execute(update(Campaign).where(Campaign.id == campaign_id, Campaign.status == "draft")
                                 .values(**{"updated_at": utcnow(), **values}))
    if changed.rowcount != 1:
        raise Conflict(f"campaign {campaign_id} is not a draft", {"status": [campaign.status]})


def update_campaign(campaign_id, data):
    """Edit a draft: any of the POST fields; category_ids replaces the set; 409 unless it is a draft."""
    with writing() as uow:
        campaign = get_or_404(Campaign, campaign_id, "campaign")
        _claim_draft(campaign_id, campaign, **{k: v for k, v in data.items() if k != "category_ids"})
        if "category_ids" in data:
            check_category_ids(data["category_ids"])
            db.session.execute(delete(campaign_categories).where(campaign_categories.c.campaign_id == campaign_id))
            insert_links(campaign_categories,
                         [{"campaign_id": campaign_id, "category_id": cid} for cid in data["category_ids"]])
        uow.emit("campaign.updated", campaign_id=campaign_id)
    db.session.expire_all()  # the ORM copy loaded above predates the UPDATE
    return get_campaign(campaign_id)


def delete_campaign(campaign_id):
    """Delete a draft (its category links go with it); 409 unless it is a draft."""
    with writing() as uow:
        campaign = get_or_404(Campaign, campaign_id, "campaign")
        deleted = db.session.execute(delete(Campaign).where(Campaign.id == campaign_id, Campaign.status == "draft"))
        if deleted.rowcount != 1:
            raise Conflict(f"campaign {campaign_id} is not a draft", {"status": [campaign.status]})
        uow.emit("campaign.deleted", campaign_id=campaign_id)


def _queue_first_messages(campaign, now):
    """INSERT ... SELECT: one pending first message per reachable contact of the campaign's categories.

    One statement whatever the number of contacts; returns how many rows it queued.
    """
    targets = select(campaign_categories.c.category_id).where(campaign_categories.c.campaign_id == campaign.id)
    rows = (select(literal(campaign.id, Integer), Contact.id,
                   literal(1, SmallInteger), literal("pending", String), literal(campaign.first_message, JSON),
                   literal(now, UTCDateTime), literal(now, UTCDateTime), literal(0, Integer))
            .where(in_categories(targets), reachable()))
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
        _claim_draft(campaign_id, campaign, status="running", launched_at=now)
        queued = _queue_first_messages(campaign, now)
        db.session.execute(update(Campaign).where(Campaign.id == campaign_id).values(total_count=queued))
        uow.emit("campaign.launched", campaign_id=campaign_id)
    return get_campaign(campaign_id)


def _move(campaign_id, before, after, event):
    """status `before` -> `after` in one compare-and-set UPDATE; 409 from any other status."""
    with writing() as uow:
        campaign = get_or_404(Campaign, campaign_id, "campaign")
        moved = db.session.execute(update(Campaign).where(Campaign.id == campaign_id, Campaign.status == before)
                                   .values(status=after, updated_at=utcnow()))
        if moved.rowcount != 1:
            raise Conflict(f"campaign {campaign_id} is not {before}", {"status": [campaign.status]})
        uow.emit(event, campaign_id=campaign_id)
    db.session.expire_all()


def pause_campaign(campaign_id):
    """Running -> paused; answers once no dispatch batch that could still send its messages is in flight."""
    _move(campaign_id, "running", "paused", "campaign.paused")
    # `paused` is committed: batches claimed from now on skip the campaign. Wait for those claimed before.
    get_gate().drain()
    return get_campaign(campaign_id)


def resume_campaign(campaign_id):
    """Paused -> running: its pending messages are due again (each at its own next_attempt_at)."""
    _move(campaign_id, "paused", "running", "campaign.resumed")
    return get_campaign(campaign_id)
