"""Two dynos, one campaign (issue 17, point 4): the Procfile's `web` twice, each dispatching at 500/s (1,000/s
for the number), against the local Cloud API answering after Meta's 0.2 s, while Meta's status webhooks for every
wamid it handed out are posted at full speed to both. A small campaign here (1,000 messages in batches of 100, so
that the dynos take turns); the full 20,000 at 1,000/s is `python -m bench.rehearsal_dispatch`.

The webhooks' ingestion may answer once its batch commits: a 200 is all the test relies on, and the final state
is polled from the database with a deadline."""
import pytest

from fakes.two_dynos import rehearse

pytestmark = pytest.mark.postgresql_only
CONTACTS = 1000


def test_two_dynos_send_one_campaign_exactly_once_and_apply_every_status(database_url, redis_url):
    report = rehearse(database_url, redis_url, CONTACTS, rate_per_dyno=500, latency=0.2, posters=6, batch=100,
                      timeout=240)

    assert len(report.posts) == CONTACTS and report.doubled == 0  # every message POSTed exactly once
    assert all(sent > 0 for sent in report.dispatched) and sum(report.dispatched) == CONTACTS, report.dispatched
    assert report.failures == [] and report.errors == []  # no webhook answered non-2xx, none unanswered
    assert report.webhooks == {200: 3 * CONTACTS}
    assert report.statuses == {"read": CONTACTS}  # every status applied, none backwards
    everything = {"sent_count": CONTACTS, "delivered_count": CONTACTS, "read_count": CONTACTS, "failed_count": 0}
    assert report.counters == report.recount == everything
    assert report.verify[0] == 0, report.verify[1]  # the maintained counts equal a full recount
