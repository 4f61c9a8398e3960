"""List paths never load rows one by one: relationships raise if touched, and lists build no ORM objects."""
import contextlib

import pytest
from sqlalchemy import event, select
from sqlalchemy.exc import InvalidRequestError

from chatbot.extensions import db
from chatbot.models import Campaign, Category, Contact, Interaction, Message
from chatbot.seed import seed_demo

MODELS = (Campaign, Category, Contact, Interaction, Message)


@contextlib.contextmanager
def orm_loads():
    """Count the ORM objects loaded from rows (the `load` event of every model)."""
    loaded = []

    def record(target, _context):
        loaded.append(type(target).__name__)
    for model in MODELS:
        event.listen(model, "load", record)
    try:
        yield loaded
    finally:
        for model in MODELS:
            event.remove(model, "load", record)


@pytest.mark.parametrize("owner, relationship", [(Message, "contact"), (Message, "campaign"),
                                                 (Contact, "categories"), (Campaign, "categories")])
def test_relationships_raise_instead_of_loading_lazily(app, owner, relationship):
    seed_demo(10, 20, 2, seed=1)
    obj = db.session.scalars(select(owner).limit(1)).one()
    with pytest.raises(InvalidRequestError, match="lazy='raise'"):
        getattr(obj, relationship)


@pytest.mark.parametrize("url", ["/api/messages?per_page=200", "/api/messages?per_page=200&status=read",
                                 "/api/contacts?per_page=200", "/api/categories", "/api/messages/stats"])
def test_lists_build_rows_from_one_statement_without_orm_objects(client, url):
    seed_demo(30, 150, 3, seed=2)
    with orm_loads() as loaded:
        response = client.get(url)
    assert response.status_code == 200
    assert loaded == []


def test_the_detail_loads_its_contact_and_campaign_on_purpose(client):
    seed_demo(10, 20, 2, seed=3)
    message_id = db.session.scalar(select(Message.id).where(Message.campaign_id.is_not(None)).limit(1))
    db.session.rollback()
    with orm_loads() as loaded:
        body = client.get(f"/api/messages/{message_id}").get_json()
    assert sorted(loaded) == ["Campaign", "Contact", "Message"]
    assert body["contact"]["name"] and body["campaign"]["name"]
