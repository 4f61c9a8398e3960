"""Each write drops exactly its entries (others survive), after its commit, never other programs' keys."""
import pytest
from sqlalchemy import event, select

from chatbot.cache import keys
from chatbot.cache.invalidation import TABLE, keys_for
from chatbot.events import EVENTS
from chatbot.extensions import db
from chatbot.messaging import dispatch, sweep
from chatbot.models import Message
from chatbot.services import campaigns
from tests import factories
from tests.cache.support import PREFIX, fill, present
from fakes import meta


def test_the_table_names_the_exact_keys_of_each_event():
    """The table, read as data: which write drops which entries."""
    stats, listing, detail = keys.stats(), keys.category_list(), keys.category_detail
    assert sorted(keys_for("contact.created", contact_id=1, category_ids=[3, 5])) == sorted(
        [stats, listing, detail(3), detail(5)])
    assert sorted(keys_for("contact.updated", contact_id=1, category_ids=[1, 2])) == sorted(
        [stats, listing, detail(1), detail(2)])
    assert sorted(keys_for("contact.deleted", contact_id=1, category_ids=[], campaign_ids=[4])) == sorted(
        [stats, listing])
    assert keys_for("category.created", category_id=7) == [listing]
    for name in ("category.updated", "category.deleted"):
        assert keys_for(name, category_id=7) == [listing, detail(7)]
    assert keys_for("campaign.created", campaign_id=1) == [stats]
    assert keys_for("campaign.launched", campaign_id=1) == [stats]
    for name in ("campaign.completed", "message.sent", "message.status", "sweep.completed"):
        assert keys_for(name, campaign_ids=[1, 2]) == [stats]
    assert keys_for("interaction.recorded", campaign_ids=[1], contact_ids=[2]) == [stats]
    assert keys_for("monitoring.counted", counts={"sent": 1}) == []
    assert sorted(keys_for("data.seeded", category_ids=[8])) == sorted([stats, listing, detail(8)])
    with pytest.raises(KeyError):
        keys_for("contact.renamed")


def test_the_table_covers_every_event_a_write_can_declare():
    """Adding an event to chatbot/events.py without saying here what it drops fails this test."""
    assert set(TABLE) == EVENTS


@pytest.fixture
def world(app, client, clock):
    """Categories a, b, c; a contact in a, another in b; a draft campaign on a, a running one on b (its first
    message queued); every cache entry filled."""
    a, b, c = (factories.category(name)["id"] for name in ("Alpha", "Beta", "Gamma"))
    in_a = factories.contact([a])["id"]
    in_b = factories.contact([b])["id"]
    campaign = factories.campaign([a])["id"]
    running = factories.campaign([b])["id"]
    campaigns.launch_campaign(running)
    ids = {"a": a, "b": b, "c": c, "in_a": in_a, "in_b": in_b, "campaign": campaign, "running": running,
           "clock": clock}
    fill(client, [a, b, c])
    return ids


def _create_contact(client, w):
    assert client.post("/api/contacts", json={"phone": factories.phone(), "name": "New",
                                              "category_ids": [w["a"]]}).status_code == 201


def _move_contact(client, w):
    assert client.patch(f"/api/contacts/{w['in_a']}", json={"category_ids": [w["b"]]}).status_code == 200


def _rename_contact(client, w):
    assert client.patch(f"/api/contacts/{w['in_a']}", json={"name": "Renamed"}).status_code == 200


def _delete_contact(client, w):
    assert client.delete(f"/api/contacts/{w['in_b']}").status_code == 204


def _create_category(client, w):
    assert client.post("/api/categories", json={"name": "Delta"}).status_code == 201


def _update_category(client, w):
    assert client.patch(f"/api/categories/{w['a']}", json={"description": "new"}).status_code == 200


def _delete_category(client, w):
    assert client.delete(f"/api/categories/{w['c']}").status_code == 204


def _create_campaign(client, w):
    factories.campaign([w["b"]])


def _launch_campaign(client, w):
    assert client.post(f"/api/campaigns/{w['campaign']}/launch").status_code == 202


def _dispatch(client, w):
    assert dispatch.run_once() == {"sent": 1, "failed": 0}


def _sent(client, w):
    """The running campaign's first message sent (then the entries filled again): its wamid and phone."""
    _dispatch(client, w)
    fill(client, [w["a"], w["b"], w["c"]])
    wamid = db.session.scalar(select(Message.wamid).where(Message.campaign_id == w["running"]))
    return wamid, client.get(f"/api/contacts/{w['in_b']}").get_json()["phone"]


def _status_webhook(client, w):
    wamid, _ = _sent(client, w)
    payload = meta.notification(statuses=[meta.status(wamid, "delivered", w["clock"].now())])
    assert meta.post(client, payload).status_code == 200


def _answer_webhook(client, w):
    _, phone = _sent(client, w)
    payload = meta.notification(messages=[meta.text("wamid.answer.1", phone, w["clock"].now())])
    assert meta.post(client, payload).status_code == 200


def _sweep(client, w):
    _sent(client, w)
    w["clock"].advance(hours=25)
    assert sweep.run()["completed"] == 1


WRITES = [
    # (write, entries it must drop: "stats", "list", or a category letter for its detail)
    (_create_contact, {"stats", "list", "a"}),
    (_move_contact, {"stats", "list", "a", "b"}),
    (_rename_contact, {"stats", "list", "a"}),
    (_delete_contact, {"stats", "list", "b"}),
    (_create_category, {"list"}),
    (_update_category, {"list", "a"}),
    (_delete_category, {"list", "c"}),
    (_create_campaign, {"stats"}),
    (_launch_campaign, {"stats"}),
    (_dispatch, {"stats"}),
    (_status_webhook, {"stats"}),
    (_answer_webhook, {"stats"}),
    (_sweep, {"stats"}),
]


def _names(w, labels):
    """Entry labels -> cache keys."""
    named = {"stats": keys.stats(), "list": keys.category_list()}
    return {named.get(label) or keys.category_detail(w[label]) for label in labels}


@pytest.mark.parametrize("write, dropped", WRITES, ids=[w.__name__.strip("_") for w, _ in WRITES])
def test_each_write_drops_exactly_its_entries(world, client, redis_client, write, dropped):
    """Only the listed entries go; the other categories' details (and everything else) survive."""
    categories = [world["a"], world["b"], world["c"]]
    before = present(redis_client, categories)
    assert before == _names(world, {"stats", "list", "a", "b", "c"})
    write(client, world)
    assert before - present(redis_client, categories) == _names(world, dropped)


def test_reads_after_each_write_show_it(world, client):
    """Dropped entries are recomputed: the counts follow the writes at once."""
    _move_contact(client, world)
    counts = {c["id"]: c["contact_count"] for c in client.get("/api/categories").get_json()["items"]}
    assert counts[world["a"]] == 0 and counts[world["b"]] == 2
    assert client.get(f"/api/categories/{world['b']}").get_json()["contact_count"] == 2
    _delete_contact(client, world)
    assert client.get("/api/messages/stats").get_json()["contacts"]["total"] == 1


def test_invalidation_happens_after_the_commit(world, redis_client):
    """At commit time the entry is still there (not dropped before); once the service returns, it is gone."""
    seen_at_commit = []
    session = db.session()
    listener = lambda _session: seen_at_commit.append(redis_client.exists(PREFIX + keys.stats()))  # noqa: E731
    event.listen(session, "after_commit", listener)
    try:
        factories.contact([world["a"]])
    finally:
        event.remove(session, "after_commit", listener)
    assert seen_at_commit == [1]
    assert not redis_client.exists(PREFIX + keys.stats())


def test_a_failing_commit_invalidates_nothing(world, redis_client):
    """The transaction fails at commit: no entry is dropped (the old values are still true)."""
    categories = [world["a"], world["b"], world["c"]]
    before = present(redis_client, categories)
    session = db.session()

    def fail(_session):
        raise RuntimeError("disk full")

    event.listen(session, "before_commit", fail)
    try:
        with pytest.raises(RuntimeError):
            campaigns.launch_campaign(world["campaign"])
    finally:
        event.remove(session, "before_commit", fail)
        db.session.rollback()
    assert present(redis_client, categories) == before


def test_a_duplicate_phone_409_invalidates_nothing(world, client, redis_client):
    """A write refused with 409 changes nothing, so it drops nothing."""
    phone = client.get(f"/api/contacts/{world['in_a']}").get_json()["phone"]
    categories = [world["a"], world["b"], world["c"]]
    before = present(redis_client, categories)
    response = client.post("/api/contacts", json={"phone": phone, "name": "Twin", "category_ids": [world["a"]]})
    assert response.status_code == 409
    assert present(redis_client, categories) == before


def test_one_invalidation_is_one_round_trip(server_app, server_client, redis_server):
    """A contact creation drops its four entries with one command (a script): no KEYS, no SCAN."""
    a = factories.category("Epsilon")["id"]
    fill(server_client, [a])
    redis_server.reset_stats()
    factories.contact([a])
    stats = redis_server.command_stats()
    assert stats.pop("evalsha") == 1
    assert "keys" not in stats and "scan" not in stats
