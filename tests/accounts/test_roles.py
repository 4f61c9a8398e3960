"""Every route of the URL map, with every method, against every role: a table, so that a new route without a
decision fails here (and chatbot/security/access.py must say its class)."""
import re

import pytest

from chatbot.auth import PUBLIC_PATHS, TICKET_PATH

PUBLIC, TICKET, ANY, OPERATOR, ADMIN = "public", "ticket", "authenticated", "operator", "admin"
ALLOWED = {ANY: {"viewer", "operator", "admin"}, OPERATOR: {"operator", "admin"}, ADMIN: {"admin"}}

EXPECTED = {
    ("/", "GET"): PUBLIC, ("/<page:page>", "GET"): PUBLIC, ("/static/<path:filename>", "GET"): PUBLIC,
    ("/swagger-ui/<path:filename>", "GET"): PUBLIC, ("/api/openapi.json", "GET"): PUBLIC, ("/api/docs", "GET"): PUBLIC,
    ("/api/health", "GET"): PUBLIC, ("/api/cache/stats", "GET"): ANY,
    ("/api/webhooks/whatsapp", "GET"): PUBLIC, ("/api/webhooks/whatsapp", "POST"): PUBLIC,
    ("/api/auth/login", "POST"): PUBLIC, ("/api/auth/logout", "POST"): ANY, ("/api/auth/me", "GET"): ANY,
    ("/api/users", "GET"): ADMIN, ("/api/users", "POST"): ADMIN,
    ("/api/users/<int:user_id>", "PATCH"): ADMIN, ("/api/users/<int:user_id>", "DELETE"): ADMIN,
    ("/api/tokens", "GET"): ANY, ("/api/tokens", "POST"): ANY, ("/api/tokens/<int:token_id>", "DELETE"): ANY,
    ("/api/audit", "GET"): ADMIN,
    ("/api/categories", "GET"): ANY, ("/api/categories", "POST"): OPERATOR,
    ("/api/categories/<int:category_id>", "GET"): ANY, ("/api/categories/<int:category_id>", "PATCH"): OPERATOR,
    ("/api/categories/<int:category_id>", "DELETE"): OPERATOR,
    ("/api/contacts", "GET"): ANY, ("/api/contacts", "POST"): OPERATOR,
    ("/api/contacts/<int:contact_id>", "GET"): ANY, ("/api/contacts/<int:contact_id>", "PATCH"): OPERATOR,
    ("/api/contacts/<int:contact_id>", "DELETE"): OPERATOR,
    ("/api/contacts/import", "POST"): OPERATOR, ("/api/contacts/export", "GET"): ANY,
    ("/api/campaigns", "GET"): ANY, ("/api/campaigns", "POST"): OPERATOR, ("/api/campaigns/audience", "GET"): ANY,
    ("/api/campaigns/<int:campaign_id>", "GET"): ANY, ("/api/campaigns/<int:campaign_id>", "PATCH"): OPERATOR,
    ("/api/campaigns/<int:campaign_id>", "DELETE"): OPERATOR,
    ("/api/campaigns/<int:campaign_id>/launch", "POST"): OPERATOR,
    ("/api/campaigns/<int:campaign_id>/pause", "POST"): OPERATOR,
    ("/api/campaigns/<int:campaign_id>/resume", "POST"): OPERATOR,
    ("/api/campaigns/<int:campaign_id>/timeline", "GET"): ANY,
    ("/api/campaigns/<int:campaign_id>/history", "GET"): ANY,
    ("/api/messages", "GET"): ANY, ("/api/messages/stats", "GET"): ANY,
    ("/api/messages/<int(max=9223372036854775807):message_id>", "GET"): ANY,
    ("/api/interactions", "GET"): ANY, ("/api/monitoring/daily", "GET"): ANY,
    ("/api/events/ticket", "POST"): ANY, ("/api/events", "GET"): TICKET,
}


def rules(app):
    """(rule, method) of every route the app answers (HEAD and OPTIONS follow GET)."""
    return {(rule.rule, method) for rule in app.url_map.iter_rules()
            for method in rule.methods - {"HEAD", "OPTIONS"}}


def concrete(rule):
    """A URL for the rule: ids that do not exist (404 once let in), a page name, a file name."""
    url = re.sub(r"<int[^>]*>", "999999", rule)
    return url.replace("<page:page>", "campaigns").replace("<path:filename>", "nothing.js")


def test_every_route_of_the_url_map_has_an_expected_class(app):
    assert rules(app) == set(EXPECTED), "a route was added or removed: give it a class in EXPECTED"


def test_the_public_paths_of_the_auth_module_are_the_public_api_routes():
    public = {rule for (rule, _), kind in EXPECTED.items() if kind in (PUBLIC, TICKET) and rule.startswith("/api/")}
    assert public == set(PUBLIC_PATHS) | {TICKET_PATH}


def call(client, rule, method, headers=None):
    """One request; unsafe methods send an empty JSON object (a 400 or 422 once let in)."""
    kwargs = {"json": {}} if method != "GET" else {}
    return client.open(concrete(rule), method=method, headers=headers or {}, **kwargs)


def expected_status_ok(kind, role, status):
    """Does `status` answer what `kind` promises `role`?"""
    if kind == TICKET:
        return status == 401  # the ticket opens the stream, never a bearer token
    if role in ALLOWED[kind]:
        return status not in (401, 403)
    return status == 403


def test_without_a_credential_only_public_routes_answer(client, users):
    wrong = []
    for (rule, method), kind in sorted(EXPECTED.items()):
        status = call(client, rule, method).status_code
        if kind == PUBLIC:
            # The webhook is public but signed: a 403 there is its signature check, not a role.
            if status == 401 or (status == 403 and not rule.startswith("/api/webhooks")):
                wrong.append((rule, method, status))
        elif status != 401:
            wrong.append((rule, method, status))
    assert not wrong


@pytest.mark.parametrize("role", ["viewer", "operator", "admin"])
def test_each_role_against_each_route(client, users, role):
    wrong = []
    for (rule, method), kind in sorted(EXPECTED.items()):
        if kind == PUBLIC:
            continue
        status = call(client, rule, method, users[role].bearer).status_code
        if not expected_status_ok(kind, role, status):
            wrong.append((rule, method, kind, status))
    assert not wrong
