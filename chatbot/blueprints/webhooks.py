"""/api/webhooks/whatsapp: Meta's verification handshake and notifications (see services/webhooks.py)."""
from flask import Blueprint, Response, request

from chatbot.messaging import webhooks
from chatbot.schemas.webhook import webhook_summary_out

bp = Blueprint("webhooks", __name__, url_prefix="/api/webhooks")


@bp.get("/whatsapp")
def verify():
    """Echo hub.challenge (text/plain) when hub.verify_token matches; 403 otherwise."""
    response = Response(webhooks.verify_subscription(request.args), mimetype="text/plain")
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.post("/whatsapp")
def receive():
    """Check the signature over the raw bytes, apply the notification, answer 200."""
    raw = request.get_data(cache=True)
    webhooks.check_signature(raw, request.headers.get("X-Hub-Signature-256"))
    return webhook_summary_out.dump(webhooks.handle(webhooks.decode(raw), raw))
