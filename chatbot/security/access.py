"""Who may call what: each route of the URL map falls in one class, checked against the caller's role.

    public          no credential (health, webhooks, docs, login, the event stream with its ticket, the dashboard)
    authenticated   any role (reads; and a viewer's own logout, tokens, stream ticket)
    operator        operator or admin (every other write)
    admin           users, the audit log

A rule says its class here, by endpoint or by blueprint; otherwise safe methods are `authenticated` and the rest
`operator`. tests/security/test_roles.py lists every rule and method of the URL map with the class it expects, so
a new route without a decision fails the suite.
"""
PUBLIC, AUTHENTICATED, OPERATOR, ADMIN = "public", "authenticated", "operator", "admin"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# The roles each class lets in.
ROLES_OF = {AUTHENTICATED: {"viewer", "operator", "admin"}, OPERATOR: {"operator", "admin"}, ADMIN: {"admin"}}

BY_ENDPOINT = {
    "health.health": PUBLIC, "events.stream": PUBLIC, "auth.login": PUBLIC,
    "auth.logout": AUTHENTICATED, "auth.me": AUTHENTICATED, "events.ticket": AUTHENTICATED,
}
BY_BLUEPRINT = {
    "webhooks": PUBLIC, "docs": PUBLIC, "dashboard": PUBLIC,
    "tokens": AUTHENTICATED,  # each caller's own (the service keeps others' tokens to admins)
    "users": ADMIN, "audit": ADMIN,
}


def access_class(endpoint, method):
    """The class of a request to `endpoint` (None: no route matched) with `method`."""
    if endpoint == "static":
        return PUBLIC
    if endpoint in BY_ENDPOINT:
        return BY_ENDPOINT[endpoint]
    blueprint = endpoint.partition(".")[0] if endpoint and "." in endpoint else None
    if blueprint in BY_BLUEPRINT:
        return BY_BLUEPRINT[blueprint]
    return AUTHENTICATED if method in SAFE_METHODS else OPERATOR


def allows(access, role):
    """May a caller with `role` make a request of class `access`?"""
    return access == PUBLIC or role in ROLES_OF[access]
