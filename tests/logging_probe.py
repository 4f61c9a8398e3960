"""Run by tests/test_logging.py in a fresh process (the app's real logging set-up, JSON on stderr).

Makes requests that carry secrets and phone numbers: API calls with the bearer token (right and wrong), a contact
created and searched by phone, the webhook handshake with the verify token, signed and badly signed notifications
from a known and an unknown number, and an error whose traceback names a phone number and the token.
Usage: python -m tests.logging_probe DATABASE_URL REDIS_URL (secrets in the environment, see test_logging.py).
"""
import hashlib
import hmac
import json
import logging
import os
import sys

from flask_migrate import upgrade

from chatbot import create_app


def notification(wa_id, wamid):
    """A text answer from `wa_id`, with a status for a wamid nobody knows."""
    return {"object": "whatsapp_business_account", "entry": [{"id": "1", "changes": [{"field": "messages", "value": {
        "contacts": [{"profile": {"name": "Someone"}, "wa_id": wa_id}],
        "messages": [{"from": wa_id, "id": wamid, "timestamp": "1767225600", "type": "text",
                      "text": {"body": f"call me on +{wa_id}"}}],
        "statuses": [{"id": "wamid.unknown", "status": "failed", "timestamp": "1767225600", "recipient_id": wa_id,
                      "errors": [{"code": 131026, "title": f"undeliverable to {wa_id}"}]}]}}]}]}


def api_calls(client, token, phone):
    """Token right and wrong, a contact written and searched by its phone."""
    auth = {"Authorization": f"Bearer {token}"}
    client.post("/api/contacts", json={"phone": phone, "name": "Ada"}, headers=auth)
    client.post("/api/contacts", json={"phone": phone, "name": "Ada again"}, headers=auth)  # 409
    client.get(f"/api/contacts?search={phone}", headers=auth)
    client.get("/api/categories", headers={"Authorization": f"Bearer {token}x"})  # 401


def webhook_calls(client, env, phone):
    """Handshake, signed answers from a known and an unknown number, a badly signed one."""
    client.get(f"/api/webhooks/whatsapp?hub.mode=subscribe&hub.verify_token={env['WHATSAPP_VERIFY_TOKEN']}"
               "&hub.challenge=12345")
    for wa_id, wamid in ((phone.lstrip("+"), "wamid.in.1"), ("16505550177", "wamid.in.2")):
        raw = json.dumps(notification(wa_id, wamid)).encode()
        signature = "sha256=" + hmac.new(env["WHATSAPP_APP_SECRET"].encode(), raw, hashlib.sha256).hexdigest()
        client.post("/api/webhooks/whatsapp", data=raw, headers={"X-Hub-Signature-256": signature,
                                                                 "Content-Type": "application/json"})
    client.post("/api/webhooks/whatsapp", data=b"{}", headers={"X-Hub-Signature-256": "sha256=" + "0" * 64})


def main(database_url, redis_url):
    """Build the app as production would (from the environment), then make the calls."""
    env = os.environ
    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "REDIS_URL": redis_url, "SCHEDULER_ENABLED": False,
                      "SLOW_REQUEST_MS": 0.0})  # every request gets its log line
    with app.app_context():
        upgrade()
    client = app.test_client()
    phone = env["PROBE_PHONE"]
    api_calls(client, env["API_TOKEN"], phone)
    webhook_calls(client, env, phone)
    try:
        raise RuntimeError(f"could not send to {phone} with Bearer {env['API_TOKEN']}")
    except RuntimeError:
        logging.getLogger("chatbot.probe").exception("send failed for %s", phone)
    print("probe done", file=sys.stderr)


if __name__ == "__main__":
    main(*sys.argv[1:3])
