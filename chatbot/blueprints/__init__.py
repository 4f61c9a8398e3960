"""The URL map: one blueprint per resource."""
from chatbot.blueprints import (audit, auth, campaigns, categories, contacts, dashboard, events, health, interactions,
                                messages, monitoring, tokens, users, webhook_fast, webhooks)
from chatbot.blueprints.common import IdConverter, reject_large_body
from chatbot.openapi import docs


def init_app(app):
    """Register every blueprint (after bounding `<int:...>`: rules bind their converters when added)."""
    app.url_map.converters["int"] = IdConverter
    app.before_request(reject_large_body)
    for module in (health, auth, users, tokens, audit, categories, contacts, campaigns, messages, interactions,
                   monitoring, events, webhooks, docs, dashboard):
        app.register_blueprint(module.bp)
    from chatbot.blueprints import fast
    fast.init_app(app)  # cached hits with API_TOKEN answered before Flask's own request handling (inside ProxyFix)
    webhook_fast.init_app(app)  # Meta's POST, outermost: it reads no client address
