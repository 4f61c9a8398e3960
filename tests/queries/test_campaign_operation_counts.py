"""The audience and a campaign's timeline are one statement each, whatever the size of the data."""
from sqlalchemy import select

from chatbot.extensions import db
from chatbot.models import Category
from tests.queries.conftest import some_ids
from tests.queries.test_statement_counts import statements


def test_the_audience_is_one_statement(client, count_statements, at_two_sizes):
    def measure():
        ids = ",".join(map(str, db.session.scalars(select(Category.id).order_by(Category.id))))
        db.session.rollback()
        count, response = statements(count_statements, client, f"/api/campaigns/audience?category_ids={ids}")
        assert response.get_json()["contacts"] > 0
        return count
    assert at_two_sizes(measure) == [1, 1]


def test_a_timeline_is_one_statement_by_hour_and_by_day(client, count_statements, at_two_sizes):
    def measure():
        url = f"/api/campaigns/{some_ids()['campaign_id']}/timeline"
        hourly, response = statements(count_statements, client, url)
        assert response.get_json()["items"]
        daily, response = statements(count_statements, client, url + "?bucket=day")
        assert response.get_json()["items"]
        return hourly, daily
    assert at_two_sizes(measure) == [(1, 1), (1, 1)]
