"""Test data through the services (as the API would write it), with unique values per call."""
import itertools

from sqlalchemy import insert, select, update

from chatbot.clock import utcnow
from chatbot.extensions import db
from chatbot.models import Contact, Interaction, Message, contact_categories
from chatbot.services import campaigns, categories, contacts
from chatbot.unit_of_work import writing

_seq = itertools.count(1)


def phone():
    """A unique valid US number: +1 415 2xx xxxx."""
    return f"+14152{next(_seq) % 1_000_000:06d}"


def category(name=None, description=None):
    """Create a category; returns its dict."""
    return categories.create_category({"name": name or f"Category {next(_seq)}", "description": description})


def contact(category_ids=(), name=None, number=None):
    """Create a contact; returns its dict."""
    return contacts.create_contact({"phone": number or phone(), "name": name or f"Contact {next(_seq)}",
                                    "category_ids": list(category_ids)})


def campaign(category_ids, name=None, first=None, second=None):
    """Create a draft campaign; returns its dict."""
    return campaigns.create_campaign({
        "name": name or f"Campaign {next(_seq)}", "category_ids": list(category_ids),
        "first_message": first or {"text": "Hello! Reply to learn more."},
        "second_message": second or {"text": "Thanks for answering!"},
    })


def bulk_contacts(count, category_ids=()):
    """Insert `count` contacts in these categories with two statements (big launches); returns their ids."""
    now = utcnow()
    phones = [phone() for _ in range(count)]
    with writing() as uow:
        db.session.execute(insert(Contact), [{"phone": p, "name": f"Bulk {p}", "created_at": now,
                                              "updated_at": now} for p in phones])
        ids = list(db.session.scalars(select(Contact.id).where(Contact.phone.in_(phones))))
        links = [{"contact_id": i, "category_id": c} for i in ids for c in category_ids]
        if links:
            db.session.execute(insert(contact_categories), links)
        for contact_id in ids:
            uow.emit("contact.created", contact_id=contact_id, category_ids=list(category_ids))
    return ids


def message(contact_id, campaign_id=None, step=1, **values):
    """Insert one message row directly (statuses, errors, times as given); returns its id."""
    now = utcnow()
    row = {"contact_id": contact_id, "campaign_id": campaign_id, "step": step, "status": "pending",
           "body": {"text": "Hello"}, "created_at": now, "updated_at": now, **values}
    with writing():
        message_id = db.session.execute(insert(Message).returning(Message.id), row).scalar_one()
    return message_id


def set_message(message_id, **values):
    """Change a message row directly (as dispatch and webhooks would), in a unit of work."""
    with writing():
        db.session.execute(update(Message).where(Message.id == message_id).values(**values))


def interaction(contact_id, message_id=None, campaign_id=None):
    """Record an incoming message from a contact directly; returns its id."""
    now = utcnow()
    row = {"contact_id": contact_id, "message_id": message_id, "campaign_id": campaign_id,
           "wamid": f"wamid.in.{next(_seq)}", "kind": "text", "body": "Yes!", "occurred_at": now, "created_at": now}
    with writing():
        interaction_id = db.session.execute(insert(Interaction).returning(Interaction.id), row).scalar_one()
    return interaction_id
