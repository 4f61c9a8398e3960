"""The events a write declares: the one list of what can change.

A service that writes opens a unit of work (`chatbot.unit_of_work`) and emits, for each thing it
changed, one of these events with the ids it concerns. The unit of work hands them to its effects:
inside the transaction (e.g. an audit row), and after the commit (cache invalidation in
`chatbot/cache/invalidation.py`, daily counters in `chatbot/messaging/monitoring.py`, events to
open dashboards). Adding a write means adding or reusing an event here, then saying in each
effect's table what it does for it (a test checks that every table covers every event).

| event                 | params                                                        |
|-----------------------|---------------------------------------------------------------|
| contact.created       | contact_id, category_ids                                      |
| contact.updated       | contact_id, category_ids (old and new)                        |
| contact.deleted       | contact_id, category_ids, campaign_ids (its messages' campaigns) |
| category.created      | category_id                                                   |
| category.updated      | category_id                                                   |
| category.deleted      | category_id                                                   |
| campaign.created      | campaign_id                                                   |
| campaign.updated      | campaign_id (a draft edited)                                  |
| campaign.deleted      | campaign_id (a draft deleted)                                 |
| campaign.launched     | campaign_id                                                   |
| campaign.paused       | campaign_id                                                   |
| campaign.resumed      | campaign_id                                                   |
| campaign.completed    | campaign_ids                                                  |
| message.sent          | campaign_ids (a dispatch's sends and failures)                |
| message.status        | campaign_ids (statuses from a webhook)                        |
| interaction.recorded  | campaign_ids, contact_ids (answers, second messages queued, opt-outs and opt-ins) |
| contacts.imported     | category_ids (a CSV import's chunk: the categories it filled or created) |
| sweep.completed       | campaign_ids (first messages marked no_interaction)           |
| monitoring.counted    | counts: {field: n} or {date: {field: n}} for the daily counters |
| data.seeded           | category_ids (the demo seed: the categories it filled; everything else may have changed) |
| user.created          | user_id                                                       |
| user.updated          | user_id (role, active or password changed)                    |
| user.deleted          | user_id                                                       |
| token.created         | token_id, user_id                                             |
| token.revoked         | token_id                                                      |
| session.started       | user_id (a login)                                             |
| session.ended         | user_id (a logout)                                            |
"""

EVENTS = frozenset({
    "contact.created", "contact.updated", "contact.deleted",
    "category.created", "category.updated", "category.deleted",
    "campaign.created", "campaign.updated", "campaign.deleted", "campaign.launched",
    "campaign.paused", "campaign.resumed", "campaign.completed",
    "message.sent", "message.status", "interaction.recorded", "sweep.completed", "contacts.imported",
    "monitoring.counted", "data.seeded",
    "user.created", "user.updated", "user.deleted", "token.created", "token.revoked", "session.started",
    "session.ended",
})
