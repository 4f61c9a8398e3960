"""GET /api/interactions: the answers inbox, newest first, keyset pages, filters."""
import datetime as dt
import itertools

import pytest
from sqlalchemy import insert

from chatbot.extensions import db
from chatbot.models import Interaction
from tests import factories
from tests.api import expect

KEYS = {"id", "contact_id", "contact_name", "campaign_id", "kind", "body", "occurred_at"}
_wamids = itertools.count(1)
T0 = dt.datetime(2026, 1, 15, 12, 0, tzinfo=dt.timezone.utc)


def answers(rows):
    """Insert interactions [(contact_id, campaign_id, seconds after T0)]; returns their ids in order."""
    values = [{"contact_id": contact, "campaign_id": campaign, "wamid": f"wamid.inbox.{next(_wamids)}", "kind": "text",
               "body": f"answer {n}", "occurred_at": T0 + dt.timedelta(seconds=seconds), "created_at": T0}
              for n, (contact, campaign, seconds) in enumerate(rows)]
    ids = db.session.scalars(insert(Interaction).returning(Interaction.id, sort_by_parameter_order=True),
                             values).all()
    db.session.commit()
    return ids


def walk(client, query, per_page):
    """Every page of GET /api/interactions?<query>: the ids in order, and how many pages."""
    ids, pages, cursor = [], 0, None
    while True:
        url = f"/api/interactions?per_page={per_page}&{query}" + (f"&cursor={cursor}" if cursor else "")
        response = client.get(url)
        assert response.status_code == 200, response.get_json()
        body = response.get_json()
        ids += [item["id"] for item in body["items"]]
        pages += 1
        cursor = body["next_cursor"]
        if cursor is None:
            return ids, pages


@pytest.fixture
def inbox(app):
    """Two contacts, two campaigns, seven answers; several in the same second (the id breaks the tie)."""
    category = factories.category()
    ann, bob = factories.contact([category["id"]], name="Ann"), factories.contact([category["id"]], name="Bob")
    spring, autumn = factories.campaign([category["id"]]), factories.campaign([category["id"]])
    ids = answers([(ann["id"], spring["id"], 0), (bob["id"], spring["id"], 5), (ann["id"], None, 5),
                   (bob["id"], autumn["id"], 5), (ann["id"], autumn["id"], 9), (bob["id"], None, 20),
                   (ann["id"], spring["id"], 30)])
    return {"ann": ann["id"], "bob": bob["id"], "spring": spring["id"], "autumn": autumn["id"], "ids": ids}


def newest_first(inbox, keep):
    """The expected ids (inserted in order, times not decreasing): newest first."""
    return [i for n, i in reversed(list(enumerate(inbox["ids"]))) if keep(n)]


def test_an_answer_has_the_contract_shape(client, inbox):
    body = client.get("/api/interactions").get_json()
    assert set(body) == {"items", "next_cursor"} and body["next_cursor"] is None
    first = body["items"][0]
    assert set(first) == KEYS
    assert (first["contact_id"], first["contact_name"], first["campaign_id"]) == (inbox["ann"], "Ann", inbox["spring"])
    assert (first["kind"], first["body"], first["occurred_at"]) == ("text", "answer 6", "2026-01-15T12:00:30Z")
    assert expect.utc(first["occurred_at"])


@pytest.mark.parametrize("per_page", [1, 2, 3, 50])
def test_pages_walk_every_answer_once_newest_first(client, inbox, per_page):
    ids, pages = walk(client, "", per_page)
    assert ids == newest_first(inbox, lambda n: True)
    assert pages == max(1, -(-7 // per_page))


@pytest.mark.parametrize("which, keep", [
    ("campaign=spring", lambda n: n in (0, 1, 6)), ("campaign=autumn", lambda n: n in (3, 4)),
    ("contact=ann", lambda n: n in (0, 2, 4, 6)), ("contact=bob&campaign=autumn", lambda n: n == 3),
])
def test_filters_by_campaign_and_contact(client, inbox, which, keep):
    names = {"campaign": "campaign_id", "contact": "contact_id"}
    query = "&".join(f"{names[k]}={inbox[v]}" for k, v in (part.split("=") for part in which.split("&")))
    assert walk(client, query, 2)[0] == newest_first(inbox, keep)


def test_an_answer_arriving_between_pages_does_not_shift_the_next_page(client, inbox):
    first = client.get("/api/interactions?per_page=3").get_json()
    answers([(inbox["bob"], None, 60)])
    second = client.get(f"/api/interactions?per_page=3&cursor={first['next_cursor']}").get_json()
    assert [i["id"] for i in first["items"] + second["items"]] == newest_first(inbox, lambda n: True)[:6]


@pytest.mark.parametrize("query", ["per_page=0", "per_page=201", "campaign_id=0", "contact_id=x", "cursor=nope",
                                   "cursor=" + "a" * 201])
def test_bad_parameters_are_422_naming_them(client, query):
    details = expect.error(client.get(f"/api/interactions?{query}"), 422, "validation_error")
    assert query.split("=")[0] in details


def test_per_page_defaults_to_50_and_allows_200(client, app):
    contact = factories.contact()
    answers([(contact["id"], None, n) for n in range(210)])
    assert len(client.get("/api/interactions").get_json()["items"]) == 50
    assert len(client.get("/api/interactions?per_page=200").get_json()["items"]) == 200
