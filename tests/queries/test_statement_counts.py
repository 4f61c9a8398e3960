"""Each hot request runs a fixed number of SQL statements, whatever the size of the data."""
import pytest
from sqlalchemy import select

from chatbot.cache import keys
from chatbot.extensions import db
from chatbot.models import Message
from chatbot.seed import seed_demo
from tests import factories
from tests.queries.conftest import some_ids, uncached


def statements(count_statements, client, url, method="get"):
    """(statements run, response) for one request."""
    with count_statements() as counter:
        response = getattr(client, method)(url)
    assert response.status_code < 300, response.get_data(as_text=True)
    return counter.count, response


def test_uncached_stats_is_one_statement_and_cached_stats_none(client, count_statements, at_two_sizes):
    def measure():
        uncached(keys.stats())
        missed, response = statements(count_statements, client, "/api/messages/stats")
        assert response.headers["X-Cache"] == "MISS"
        hit, response = statements(count_statements, client, "/api/messages/stats")
        assert response.headers["X-Cache"] == "HIT"
        return missed, hit
    assert at_two_sizes(measure) == [(1, 0), (1, 0)]


def test_category_list_and_detail_are_one_statement_each(client, count_statements, at_two_sizes):
    def measure():
        category_id = some_ids()["category_id"]
        uncached(keys.category_list(), keys.category_detail(category_id))
        listed, response = statements(count_statements, client, "/api/categories")
        assert response.headers["X-Cache"] == "MISS" and response.get_json()["items"]
        detail, response = statements(count_statements, client, f"/api/categories/{category_id}")
        assert response.headers["X-Cache"] == "MISS" and response.get_json()["contact_count"] > 0
        return listed, detail
    assert at_two_sizes(measure) == [(1, 1), (1, 1)]


FILTERS = ("", "campaign_id={campaign_id}", "contact_id={contact_id}", "status=read", "status=no_interaction",
           "step=2", "campaign_id={campaign_id}&status=read&step=1")


# The answers inbox pages the same way (its campaign and contact filters).
PAGES = [("messages", q) for q in FILTERS] + [("interactions", q) for q in FILTERS[:3]]


@pytest.mark.parametrize("resource, query", PAGES, ids=lambda v: v.split("=")[0] or "none")
def test_a_page_is_one_statement_first_and_with_a_cursor(client, count_statements, at_two_sizes, resource, query):
    def measure():
        url = f"/api/{resource}?per_page=1&" + query.format(**some_ids())
        first, response = statements(count_statements, client, url)
        cursor = response.get_json()["next_cursor"]
        assert cursor, "the filter should match more than one page"
        following, response = statements(count_statements, client, f"{url}&cursor={cursor}")
        assert response.get_json()["items"]
        return first, following
    assert at_two_sizes(measure) == [(1, 1), (1, 1)]


def test_message_detail_is_one_statement_with_its_contact_and_campaign(client, count_statements, at_two_sizes):
    def measure():
        message_id = db.session.scalar(select(Message.id).where(Message.campaign_id.is_not(None)).limit(1))
        db.session.rollback()
        count, response = statements(count_statements, client, f"/api/messages/{message_id}")
        body = response.get_json()
        assert body["contact"]["phone"] and body["campaign"]["name"]
        return count
    assert at_two_sizes(measure) == [1, 1]


@pytest.mark.parametrize("query", ("per_page=1", "per_page=50", "per_page=200", "category_id={category_id}",
                                   "search=a&per_page=200", "page=2&per_page=7"))
def test_a_contacts_page_is_three_statements_whatever_per_page(client, count_statements, at_two_sizes, query):
    def measure():
        count, response = statements(count_statements, client, "/api/contacts?" + query.format(**some_ids()))
        assert response.get_json()["items"]
        return count
    assert at_two_sizes(measure) == [3, 3]


def test_launching_a_campaign_does_not_grow_with_its_contacts(app, client, count_statements):
    counts = []
    for number, contacts in enumerate((10, 200)):
        seed_demo(contacts, 0, 1, seed=number)  # one new category holding every new contact
        category_id = max(c["id"] for c in client.get("/api/categories").get_json()["items"])
        campaign = factories.campaign([category_id])
        count, response = statements(count_statements, client, f"/api/campaigns/{campaign['id']}/launch", "post")
        assert response.get_json()["total_count"] == contacts
        counts.append(count)
    assert counts[0] == counts[1]
    assert db.session.scalar(select(Message.id).where(Message.step == 1).order_by(Message.id.desc()).limit(1))
