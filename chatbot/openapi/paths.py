"""Every operation of the API, as data: which schema goes in, which comes out, which errors can come back.

The schemas are the ones the views load and dump with (chatbot/schemas): the description cannot drift from the answers.

`spec.py` turns this into the OpenAPI document; a test checks that it lists exactly the routes of the URL map.
Schema instances (`category_patch`, ...) keep their modifiers (partial) in the description.
"""
from chatbot.openapi.accounts import ACCOUNTS
from chatbot.openapi.contacts_csv import CONTACTS_CSV
from chatbot.openapi.describe import NO_CONTENT, READ, WRITE, body, errors, ok, path_id
from chatbot.schemas.campaign import (Audience, CampaignHistory, CampaignList, Timeline, audience_query, campaign_in,
                                      campaign_patch, timeline_query)
from chatbot.schemas.category import CategoryList, category_in, category_patch
from chatbot.schemas.contact import ContactPage, contact_in, contact_patch, contact_query
from chatbot.schemas.events import EventTicket, events_query
from chatbot.schemas.health import CacheMetrics, Health
from chatbot.schemas.interaction import InteractionPage, interaction_query
from chatbot.schemas.message import MessageDetail, MessagePage, message_query
from chatbot.schemas.monitoring import DailyList, daily_query
from chatbot.schemas.stats import Stats
from chatbot.schemas.webhook import WebhookNotification, WebhookSummary


CONTACT_EXAMPLE = {"phone": "+14155550123", "name": "Ada Lovelace", "category_ids": []}
CAMPAIGN_EXAMPLE = {"name": "Spring offer", "category_ids": [1],
                    "first_message": {"template": "spring_offer", "language": "en_US"},
                    "second_message": {"text": "Thanks! Here is your code: SPRING24"}}

HEALTH = {
    "/api/health": {"get": {
        "tags": ["health"], "operationId": "getHealth", "summary": "Database and Redis reachability",
        "description": "Public (no token). Redis down is degraded mode (`redis: unavailable`), still 200.",
        "security": [], "responses": ok(Health, "The app can serve requests.")}},
    "/api/cache/stats": {"get": {
        "tags": ["cache"], "operationId": "getCacheStats", "summary": "Cache metrics across all processes",
        "responses": {**ok(CacheMetrics, "Hits, misses, ratio, errors, latency."), **errors(*READ)}}},
}

CATEGORIES = {
    "/api/categories": {
        "get": {"tags": ["categories"], "operationId": "listCategories", "summary": "Categories sorted by name",
                "responses": {**ok(CategoryList, "Every category with its contact count.", cached=True),
                              **errors(*READ)}},
        "post": {"tags": ["categories"], "operationId": "createCategory", "summary": "Create a category",
                 "requestBody": body(category_in, {"name": "Customers", "description": "Bought at least once"}),
                 "responses": {**ok("CategoryOut", "Created.", "201"), **errors(*WRITE, 409)}},
    },
    "/api/categories/{category_id}": {
        "parameters": [path_id("category_id", "category")],
        "get": {"tags": ["categories"], "operationId": "getCategory", "summary": "One category",
                "responses": {**ok("CategoryOut", "The category with its contact count.", cached=True),
                              **errors(*READ, 404)}},
        "patch": {"tags": ["categories"], "operationId": "updateCategory", "summary": "Rename or describe",
                  "requestBody": body(category_patch, {"description": "Bought twice or more"}),
                  "responses": {**ok("CategoryOut", "Updated."), **errors(*WRITE, 404, 409)}},
        "delete": {"tags": ["categories"], "operationId": "deleteCategory", "summary": "Delete (contacts remain)",
                   "responses": {**NO_CONTENT, **errors(*READ, 404)}},
    },
}

CONTACTS = {
    "/api/contacts": {
        "get": {"tags": ["contacts"], "operationId": "listContacts", "summary": "A page of contacts, newest first",
                "parameters": [{"in": "query", "schema": contact_query}],
                "responses": {**ok(ContactPage, "One page and the total."), **errors(*READ, 422)}},
        "post": {"tags": ["contacts"], "operationId": "createContact", "summary": "Create a contact",
                 "description": "`phone` in E.164; spaces, dots, dashes and brackets are stripped. "
                                "422 if a category id does not exist; 409 if the phone exists.",
                 "requestBody": body(contact_in, CONTACT_EXAMPLE),
                 "responses": {**ok("ContactOut", "Created.", "201"), **errors(*WRITE, 409)}},
    },
    "/api/contacts/{contact_id}": {
        "parameters": [path_id("contact_id", "contact")],
        "get": {"tags": ["contacts"], "operationId": "getContact", "summary": "One contact",
                "responses": {**ok("ContactOut", "The contact and its category ids."), **errors(*READ, 404)}},
        "patch": {"tags": ["contacts"], "operationId": "updateContact", "summary": "Change a contact",
                  "description": "`category_ids` replaces the whole set. `opted_out: true` opts the contact out "
                                 "(since now, unless already) and fails its pending messages (`opted_out`); "
                                 "`false` opts it back in.",
                  "requestBody": body(contact_patch, {"name": "Ada King"}),
                  "responses": {**ok("ContactOut", "Updated."), **errors(*WRITE, 404, 409)}},
        "delete": {"tags": ["contacts"], "operationId": "deleteContact",
                   "summary": "Delete a contact with its messages and interactions",
                   "responses": {**NO_CONTENT, **errors(*READ, 404)}},
    },
}

CAMPAIGNS = {
    "/api/campaigns": {
        "get": {"tags": ["campaigns"], "operationId": "listCampaigns", "summary": "Every campaign, newest first",
                "responses": {**ok(CampaignList, "Campaigns with their counters."), **errors(*READ)}},
        "post": {"tags": ["campaigns"], "operationId": "createCampaign", "summary": "Create a draft campaign",
                 "description": "`first_message` is `{text}` or `{template, language}` (a pre-approved template, "
                                "needed to open a conversation); `second_message` is sent once to each contact "
                                "who answers. 422 if a category id does not exist.",
                 "requestBody": body(campaign_in, CAMPAIGN_EXAMPLE),
                 "responses": {**ok("CampaignOut", "Created, status `draft`.", "201"), **errors(*WRITE)}},
    },
    "/api/campaigns/audience": {"get": {
        "tags": ["campaigns"], "operationId": "getAudience", "summary": "Who a launch to these categories reaches",
        "description": "Distinct contacts of the categories that a launch would queue now (opted-out contacts "
                       "excluded), and the opted-out ones it leaves out. 422 for an unknown or malformed id.",
        "parameters": [{"in": "query", "schema": audience_query}],
        "responses": {**ok(Audience, "The two counts."), **errors(*READ, 422)}}},
    "/api/campaigns/{campaign_id}": {
        "parameters": [path_id("campaign_id", "campaign")],
        "get": {"tags": ["campaigns"], "operationId": "getCampaign", "summary": "One campaign with its counters",
                "responses": {**ok("CampaignOut", "The campaign."), **errors(*READ, 404)}},
        "patch": {"tags": ["campaigns"], "operationId": "updateCampaign", "summary": "Edit a draft",
                  "description": "Any of the creation fields, validated alike; `category_ids` replaces the set. "
                                 "409 unless the campaign is a draft.",
                  "requestBody": body(campaign_patch, {"name": "Spring offer, second try"}),
                  "responses": {**ok("CampaignOut", "Updated."), **errors(*WRITE, 404, 409)}},
        "delete": {"tags": ["campaigns"], "operationId": "deleteCampaign", "summary": "Delete a draft",
                   "description": "409 unless the campaign is a draft.",
                   "responses": {**NO_CONTENT, **errors(*READ, 404, 409)}},
    },
    "/api/campaigns/{campaign_id}/launch": {
        "parameters": [path_id("campaign_id", "campaign")],
        "post": {"tags": ["campaigns"], "operationId": "launchCampaign", "summary": "Queue the first messages",
                 "description": "One first message per distinct contact of the campaign's categories, queued for "
                                "the dispatcher. No body. 409 unless the campaign is a draft.",
                 "responses": {**ok("CampaignOut", "Launched, status `running`.", "202"),
                               **errors(*READ, 404, 409)}},
    },
    "/api/campaigns/{campaign_id}/pause": {
        "parameters": [path_id("campaign_id", "campaign")],
        "post": {"tags": ["campaigns"], "operationId": "pauseCampaign", "summary": "Stop sending",
                 "description": "Its pending messages stay queued and are not sent until it resumes. A batch being "
                                "sent finishes first: once this answers, nothing more of the campaign is sent. "
                                "No body. 409 unless the campaign is running.",
                 "responses": {**ok("CampaignOut", "Paused, status `paused`."), **errors(*READ, 404, 409)}},
    },
    "/api/campaigns/{campaign_id}/resume": {
        "parameters": [path_id("campaign_id", "campaign")],
        "post": {"tags": ["campaigns"], "operationId": "resumeCampaign", "summary": "Send the rest",
                 "description": "Its pending messages are due again. No body. 409 unless the campaign is paused.",
                 "responses": {**ok("CampaignOut", "Resumed, status `running`."), **errors(*READ, 404, 409)}},
    },
    "/api/campaigns/{campaign_id}/timeline": {
        "parameters": [path_id("campaign_id", "campaign")],
        "get": {"tags": ["campaigns"], "operationId": "getCampaignTimeline",
                "summary": "Its first messages over time",
                "description": "Per hour (default) or day in UTC, oldest first, empty buckets left out: how many "
                               "first messages were sent, delivered, read, answered and failed in each.",
                "parameters": [{"in": "query", "schema": timeline_query}],
                "responses": {**ok(Timeline, "The buckets."), **errors(*READ, 404, 422)}},
    },
    "/api/campaigns/{campaign_id}/history": {
        "parameters": [path_id("campaign_id", "campaign")],
        "get": {"tags": ["campaigns"], "operationId": "getCampaignHistory",
                "summary": "Who created, edited, launched, paused and resumed it",
                "description": "From the audit log, oldest first; any role may read it (the audit log is admin-only).",
                "responses": {**ok(CampaignHistory, "The history."), **errors(*READ, 404)}},
    },
}

MESSAGES = {
    "/api/messages": {"get": {
        "tags": ["messages"], "operationId": "listMessages", "summary": "Slim message rows, newest first",
        "description": "Keyset pagination: pass the answer's `next_cursor` as `cursor` for the next page.",
        "parameters": [{"in": "query", "schema": message_query}],
        "responses": {**ok(MessagePage, "A page of rows."), **errors(*READ, 422)}}},
    "/api/messages/stats": {"get": {
        "tags": ["messages"], "operationId": "getStats", "summary": "Global statistics",
        "responses": {**ok(Stats, "Totals by status.", cached=True), **errors(*READ)}}},
    "/api/messages/{message_id}": {
        "parameters": [path_id("message_id", "message")],
        "get": {"tags": ["messages"], "operationId": "getMessage", "summary": "One message in detail",
                "responses": {**ok(MessageDetail, "The message, its contact and campaign."),
                              **errors(*READ, 404)}}},
    "/api/monitoring/daily": {"get": {
        "tags": ["monitoring"], "operationId": "getDailyCounters", "summary": "Daily counters, oldest first",
        "description": "Read live from Redis (`monitoring:daily:<date>`); zeros while Redis is unavailable.",
        "parameters": [{"in": "query", "schema": daily_query}],
        "responses": {**ok(DailyList, "One row per UTC day."), **errors(*READ, 422)}}},
}

INTERACTIONS = {
    "/api/interactions": {"get": {
        "tags": ["interactions"], "operationId": "listInteractions", "summary": "Contacts' answers, newest first",
        "description": "The answers inbox, all of them or one campaign's or contact's. Keyset pagination: pass the "
                       "answer's `next_cursor` as `cursor` for the next page.",
        "parameters": [{"in": "query", "schema": interaction_query}],
        "responses": {**ok(InteractionPage, "A page of answers."), **errors(*READ, 422)}}},
}

WEBHOOKS = {
    "/api/webhooks/whatsapp": {
        "get": {"tags": ["webhooks"], "operationId": "verifyWebhook", "summary": "Meta's verification handshake",
                "description": "Public (Meta does not send our token). Answers the challenge as text/plain when "
                               "`hub.verify_token` equals WHATSAPP_VERIFY_TOKEN.",
                "security": [],
                "parameters": [
                    {"in": "query", "name": "hub.mode", "schema": {"type": "string", "example": "subscribe"}},
                    {"in": "query", "name": "hub.verify_token", "schema": {"type": "string"}},
                    {"in": "query", "name": "hub.challenge", "schema": {"type": "string", "example": "1158201444"}},
                ],
                "responses": {"200": {"description": "The challenge, echoed.",
                                      "content": {"text/plain": {"schema": {"type": "string"}}}},
                              **errors(400, 403)}},
        "post": {"tags": ["webhooks"], "operationId": "receiveWebhook", "summary": "Meta's notifications",
                 "description": "Public, but signed: when WHATSAPP_APP_SECRET is set, `X-Hub-Signature-256` "
                                "(`sha256=` + HMAC-SHA256 of the raw body) must match, else 403. Statuses "
                                "(sent, delivered, read, failed) are applied by wamid, never backwards; "
                                "answers from known contacts are recorded once and queue the second message.",
                 "security": [],
                 "parameters": [{"in": "header", "name": "X-Hub-Signature-256", "required": False,
                                 "schema": {"type": "string", "example": "sha256=5f8a..."}}],
                 "requestBody": {"required": True, "content": {"application/json": {
                     # Any JSON is acknowledged (what is not understood is skipped): Meta's shape, or anything.
                     "schema": {"anyOf": [WebhookNotification, {}]},
                     "example": {"object": "whatsapp_business_account", "entry": []}}}},
                 "responses": {**ok(WebhookSummary, "Accepted, also when nothing in it was understood "
                                                    "(Meta retries any other answer for days)."),
                               **errors(400, 403, 413)}},
    },
}

DOCS = {
    "/api/openapi.json": {"get": {
        "tags": ["docs"], "operationId": "getOpenApi", "summary": "This description", "security": [],
        "responses": {"200": {"description": "OpenAPI 3 document.",
                              "content": {"application/json": {"schema": {"type": "object"}}}}}}},
    "/api/docs": {"get": {
        "tags": ["docs"], "operationId": "getDocs", "summary": "Interactive documentation (Swagger UI)",
        "security": [],
        "responses": {"200": {"description": "HTML page.", "content": {"text/html": {"schema": {"type": "string"}}}}}}},
}

EVENTS = {
    "/api/events/ticket": {"post": {
        "tags": ["events"], "operationId": "createEventTicket", "summary": "A ticket for the live stream",
        "description": "`EventSource` cannot send an Authorization header, and URLs end up in logs: the dashboard "
                       "asks here, with its usual credentials, for a signed ticket that opens one stream within "
                       "`expires_in` seconds.",
        "responses": {**ok(EventTicket, "A single-use ticket."), **errors(*READ)}}},
    "/api/events": {"get": {
        "tags": ["events"], "operationId": "streamEvents", "summary": "What changed, pushed (Server-Sent Events)",
        "description": "`text/event-stream`: `changes` (id: the set's number; data: `{event: {param: [ids]}}` with "
                       "the event names of the unit of work, at most one set per 250 ms, the union of what "
                       "changed), `cache` (the cache metrics every 2 s), `live` / `degraded` (Redis away: refetch "
                       "on your own), `resync` (refetch everything once: reconnect with Last-Event-ID, a missed "
                       "set, Redis back), and a `: ping` comment every 15 s. Ends when the credential that got the "
                       "ticket is no longer valid.",
        "security": [], "parameters": [{"in": "query", "schema": events_query}],
        "responses": {"200": {"description": "The stream.",
                              "content": {"text/event-stream": {"schema": {"type": "string"}}}},
                      **errors(401, 422)}}},
}

PATHS = {**HEALTH, **ACCOUNTS,
         **CATEGORIES, **CONTACTS, **CONTACTS_CSV, **CAMPAIGNS, **MESSAGES, **INTERACTIONS, **EVENTS,
         **WEBHOOKS, **DOCS}
