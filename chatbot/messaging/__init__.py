"""The messaging pipeline, one module per step, in the order the product runs it.

1. `dispatch`: `claim`s the queued messages (a campaign launch queues them; `limit`: within Meta's messaging
   limit) and sends them, paced, on the `sender` loop through `cloud_api`, the WhatsApp Cloud API client (or
   its dry run); the answers' `outcomes` are committed in batches by the `writer` (statuses that came first:
   `early`); `audit` lists the attempts a dead dispatcher left in doubt.
2. `webhooks`: Meta's notifications, verified and parsed, committed in groups by the `batcher` (`ingest`
   applies a group; in a burst, the `intake` stores groups to apply once it eases); their statuses move
   messages up the ladder in `transitions`, and the contacts' `answers` are recorded and queue the second
   messages.
3. `sweep`: hourly, first messages left unanswered for 24 h become `no_interaction` and the campaigns
   whose messages are all resolved complete.
4. `counters`: what each of those steps changed, added to the campaigns' counters in its transaction
   (and recomputed where in doubt); `monitoring`: the daily counters in Redis, from the
   `monitoring.counted` events every step declares.

Every step writes through `chatbot.unit_of_work` and declares its events (`chatbot/events.py`).
"""
from chatbot import unit_of_work


def init_app(app):
    """Register the daily counters as an after-commit effect of every write; the webhooks' group committer."""
    from chatbot.messaging.batcher import WebhookBatcher
    from chatbot.messaging.monitoring import record_counted
    unit_of_work.on_after_commit(app, record_counted)
    app.extensions["webhook_batcher"] = WebhookBatcher(app)
