"""The URL map: one blueprint per resource."""
from chatbot.blueprints import campaigns, categories, contacts, dashboard, health, messages, monitoring, webhooks


def init_app(app):
    """Register every blueprint."""
    for module in (health, categories, contacts, campaigns, messages, monitoring, webhooks, dashboard):
        app.register_blueprint(module.bp)
