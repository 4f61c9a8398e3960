"""/api/webhooks/whatsapp: Meta's verification handshake and notifications (see services/webhooks.py)."""
from flask import Blueprint

bp = Blueprint("webhooks", __name__, url_prefix="/api/webhooks")
