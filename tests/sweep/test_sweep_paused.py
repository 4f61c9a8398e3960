"""The hourly sweep and a paused campaign: its sent messages are marked, it does not complete until resumed."""
from chatbot.messaging import sweep
from chatbot.services import campaigns
from tests.sweep import data


def test_a_paused_campaigns_sent_messages_are_marked_but_it_stays_paused_while_messages_are_pending(app, clock):
    campaign_id, (silent, waiting) = data.launched(contacts=2)
    data.send(campaign_id, clock.now(), "delivered", [silent])
    campaigns.pause_campaign(campaign_id)
    clock.advance(hours=25)
    assert sweep.run()["marked"] == 1
    row = data.campaign(campaign_id)
    assert (row.status, row.no_interaction_count, row.failed_count) == ("paused", 1, 1)
    assert row.completed_at is None


def test_a_paused_campaign_with_nothing_pending_completes_only_once_resumed(app, clock):
    campaign_id, _ = data.launched(contacts=2)
    data.send(campaign_id, clock.now(), "sent")
    campaigns.pause_campaign(campaign_id)
    clock.advance(hours=25)
    assert sweep.run() == {"marked": 2, "completed": 0, "duration_ms": 0.0}
    assert data.campaign(campaign_id).status == "paused"
    clock.advance(hours=1)
    assert sweep.run()["completed"] == 0  # every first message resolved, still paused: the operator decides
    campaigns.resume_campaign(campaign_id)
    clock.advance(hours=1)
    assert sweep.run() == {"marked": 0, "completed": 1, "duration_ms": 0.0}
    row = data.campaign(campaign_id)
    assert (row.status, row.completed_at) == ("completed", clock.now())
