"""A write's events reach the dashboards' channel after its commit, once per unit of work, never if it rolls back."""
import json

import pytest

from chatbot import unit_of_work


def payloads(messages):
    """The event sets of channel messages (JSON)."""
    return [json.loads(m) for m in messages]


def test_a_unit_of_work_publishes_one_message_after_its_commit(app, channel):
    with unit_of_work.writing() as uow:
        uow.emit("contact.created", contact_id=7, category_ids=[1, 2])
        uow.emit("category.updated", category_id=2)
        assert channel.messages(settle=0.05) == []  # nothing before the commit
    assert payloads(channel.messages()) == [{"contact.created": {"contact_id": [7], "category_ids": [1, 2]},
                                             "category.updated": {"category_id": [2]}}]


def test_a_rolled_back_unit_of_work_publishes_nothing(app, channel):
    with pytest.raises(RuntimeError):
        with unit_of_work.writing() as uow:
            uow.emit("contact.created", contact_id=7, category_ids=[1])
            raise RuntimeError("refused")
    assert channel.messages() == []


def test_a_batch_publishes_once_for_all_its_units_of_work(app, channel):
    with unit_of_work.Batch() as batch:
        for campaign_id in (1, 2, 3):
            with unit_of_work.writing(batch=batch) as uow:
                uow.emit("message.sent", campaign_ids=[campaign_id])
    assert payloads(channel.messages()) == [{"message.sent": {"campaign_ids": [1, 2, 3]}}]


def test_a_new_contact_through_the_api_is_published(client, channel):
    category_id = client.post("/api/categories", json={"name": "Live"}).get_json()["id"]
    channel.messages()
    contact = client.post("/api/contacts", json={"phone": "+14155550190", "name": "Ada",
                                                 "category_ids": [category_id]}).get_json()
    assert payloads(channel.messages()) == [
        {"contact.created": {"contact_id": [contact["id"]], "category_ids": [category_id]}}]
    assert client.post("/api/contacts", json={"phone": "+14155550190", "name": "Dup"}).status_code == 409
    assert channel.messages() == []
