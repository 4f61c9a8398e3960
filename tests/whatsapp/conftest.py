"""Fixtures for sending and webhooks: the local Cloud API, launched campaigns, message lookups."""
import dataclasses
import threading

import pytest
from sqlalchemy import insert, select, update

from chatbot.clock import utcnow
from chatbot.extensions import db
from chatbot.models import Campaign, Contact, Interaction, Message, contact_categories
from chatbot.messaging import dispatch
from chatbot.services import campaigns
from fakes.cloud_api import CloudApi
from tests import factories


@pytest.fixture
def app_config(app_config, clock):
    """Tiny backoffs; pacing and retry waits move the frozen clock instead of sleeping."""
    app_config.update({
        "WHATSAPP_RETRY_WAIT_SECONDS": 0.01,
        "WHATSAPP_TIMEOUT_SECONDS": 2.0,
        "DISPATCH_SLEEP": lambda seconds: clock.advance(seconds=seconds),
        "DISPATCH_CONCURRENCY": 4,
    })
    return app_config


@pytest.fixture
def cloud_api():
    """The local Cloud API server (started, stopped after the test)."""
    api = CloudApi().start()
    yield api
    api.stop()


@pytest.fixture
def cloud(app, cloud_api):
    """The app sending through the local Cloud API (transport `cloud`)."""
    app.config.update(cloud_api.config())
    return cloud_api


@dataclasses.dataclass
class Launched:
    """A running campaign and its contacts."""

    campaign_id: int
    contacts: list

    @property
    def phones(self):
        """The contacts' numbers, in creation order."""
        return [c["phone"] for c in self.contacts]

    def first(self, contact_index=0):
        """The first message to a contact (fresh from the database)."""
        return message_of(self.campaign_id, self.contacts[contact_index]["id"], 1)

    def second(self, contact_index=0):
        """The second message to a contact, or None."""
        return message_of(self.campaign_id, self.contacts[contact_index]["id"], 2)

    def campaign(self):
        """The campaign row, fresh."""
        db.session.expire_all()
        return db.session.get(Campaign, self.campaign_id)


def message_of(campaign_id, contact_id, step):
    """One message row, fresh from the database."""
    db.session.expire_all()
    return db.session.scalar(select(Message).where(Message.campaign_id == campaign_id,
                                                   Message.contact_id == contact_id, Message.step == step))


def interactions():
    """Every interaction row, oldest first."""
    db.session.expire_all()
    return db.session.scalars(select(Interaction).order_by(Interaction.id)).all()


def bulk_contacts(count, category_id):
    """`count` contacts in one category, inserted in two statements (faster than the service, same rows)."""
    now = utcnow()
    rows = [{"phone": factories.phone(), "name": f"Contact {i}", "created_at": now, "updated_at": now}
            for i in range(count)]
    ids = db.session.scalars(insert(Contact).returning(Contact.id, sort_by_parameter_order=True), rows).all()
    db.session.execute(insert(contact_categories), [{"contact_id": i, "category_id": category_id} for i in ids])
    db.session.commit()
    return [{"id": i, "phone": r["phone"]} for i, r in zip(ids, rows)]


@pytest.fixture
def launch(app):
    """launch(phones=[...] | count=n | contacts=[...], first=, second=, send=True): a running campaign."""
    def make(phones=None, count=2, first=None, second=None, send=True, contacts=None):
        """Create, launch and (unless send=False) dispatch."""
        category = factories.category()
        if contacts:  # people already in another campaign
            links = [{"contact_id": c["id"], "category_id": category["id"]} for c in contacts]
            db.session.execute(insert(contact_categories), links)
            db.session.commit()
        elif phones:
            contacts = [factories.contact([category["id"]], number=p) for p in phones]
        else:
            contacts = bulk_contacts(count, category["id"])
        campaign = factories.campaign([category["id"]], first=first, second=second)
        campaigns.launch_campaign(campaign["id"])
        if send:
            dispatch.run_once()
        return Launched(campaign["id"], contacts)
    return make


@pytest.fixture
def launch_once(launch):
    """A sent campaign to the samples' number, its first message named with the samples' wamid."""
    launched = launch(phones=["+16505551234"])
    db.session.execute(update(Message).where(Message.id == launched.first().id)
                       .values(wamid="wamid.HBgLMTY1MDU1NTEyMzQVAgARGBI3NjQ4QTFCQjAzMDg1QjY1RjMA"))
    db.session.commit()
    return launched


def dispatch_at_once(app, count=2, timeout=60):
    """`count` dispatchers started together on threads, each with its own app context and session; their totals.

    Fails the test if one raised or did not finish within `timeout` seconds.
    """
    start, results, errors = threading.Barrier(count), [], []

    def dispatcher():
        try:
            with app.app_context():
                start.wait(timeout=10)
                results.append(dispatch.run_once())
                db.session.remove()
        except Exception as exc:  # reported by the test
            errors.append(exc)

    threads = [threading.Thread(target=dispatcher) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    assert not any(thread.is_alive() for thread in threads), "a dispatcher did not finish"
    assert errors == [] and len(results) == count
    return results
