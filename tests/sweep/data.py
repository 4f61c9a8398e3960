"""Sweep test data: campaigns launched through the services, then message rows moved set-based."""
import itertools

from sqlalchemy import select, update

from chatbot.extensions import db
from chatbot.models import Campaign, Interaction, Message
from chatbot.services import campaigns
from tests import factories

_wamids = itertools.count(1)


def launched(contacts=1, category_ids=None):
    """A running campaign to `contacts` new contacts (or to existing categories): (campaign id, contact ids)."""
    if category_ids is None:
        category_ids = [factories.category()["id"]]
        contact_ids = [factories.contact(category_ids)["id"] for _ in range(contacts)]
    else:
        contact_ids = []
    campaign = factories.campaign(category_ids)
    campaigns.launch_campaign(campaign["id"])
    return campaign["id"], contact_ids


def send(campaign_id, sent_at, status="sent", contact_ids=None):
    """Move the campaign's first messages (or those of `contact_ids`) to `status`, sent at `sent_at`."""
    values = {"status": status, "sent_at": sent_at, "wamid": None}
    if status in ("delivered", "read"):
        values["delivered_at"] = sent_at
    if status == "read":
        values["read_at"] = sent_at
    if status == "failed":
        values.update(sent_at=None, failed_at=sent_at, error_code="131026", error_message="undeliverable")
    statement = update(Message).where(Message.campaign_id == campaign_id, Message.step == 1)
    if contact_ids is not None:
        statement = statement.where(Message.contact_id.in_(contact_ids))
    db.session.execute(statement.values(**values))
    db.session.commit()


def answer(contact_id, at, campaign_id=None, mark_message=False):
    """An incoming message from the contact at `at`; `mark_message` also sets the first message's interacted_at."""
    db.session.add(Interaction(contact_id=contact_id, campaign_id=campaign_id, wamid=f"wamid.in.sweep.{next(_wamids)}",
                               kind="text", body="Yes", occurred_at=at))
    if mark_message:
        db.session.execute(update(Message).where(Message.contact_id == contact_id, Message.step == 1,
                                                 Message.campaign_id == campaign_id).values(interacted_at=at))
    db.session.commit()


def second_message(campaign_id, contact_id, sent_at, status="sent"):
    """A step-2 message row for the contact, already sent."""
    message = Message(campaign_id=campaign_id, contact_id=contact_id, step=2, status=status,
                      body={"text": "Thanks for answering!"}, sent_at=sent_at)
    db.session.add(message)
    db.session.commit()
    return message.id


def statuses(campaign_id, step=1):
    """{contact_id: status} of the campaign's messages of one step."""
    db.session.expire_all()
    rows = db.session.execute(select(Message.contact_id, Message.status)
                              .where(Message.campaign_id == campaign_id, Message.step == step))
    return dict(rows.all())


def campaign(campaign_id):
    """The campaign row, fresh from the database."""
    db.session.expire_all()
    return db.session.get(Campaign, campaign_id)


def snapshot():
    """Everything the sweep may change: message statuses and campaign status, counters, completion times."""
    db.session.expire_all()
    messages = db.session.execute(select(Message.id, Message.status).order_by(Message.id)).all()
    columns = [Campaign.id, Campaign.status, Campaign.completed_at, Campaign.total_count, Campaign.sent_count,
               Campaign.delivered_count, Campaign.read_count, Campaign.interaction_count,
               Campaign.no_interaction_count, Campaign.failed_count]
    rows = db.session.execute(select(*columns).order_by(Campaign.id)).all()
    return [tuple(m) for m in messages], [tuple(r) for r in rows]
