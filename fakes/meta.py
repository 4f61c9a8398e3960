"""Webhook notifications shaped as Meta documents them: the samples in samples/, and builders of the same shape."""
import hashlib
import hmac
import json
import pathlib

SAMPLES = pathlib.Path(__file__).parent / "samples"
WABA_ID = "102290129340398"
METADATA = {"display_phone_number": "15550783881", "phone_number_id": "106540352242922"}
ERROR_CODES_URL = "https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/"
URL = "/api/webhooks/whatsapp"


def load(name):
    """A sample notification as a dict."""
    return json.loads((SAMPLES / f"{name}.json").read_text())


def ts(when):
    """Meta's timestamp: Unix seconds as a string."""
    return str(int(when.timestamp()))


def wa_id(phone):
    """Meta's wa_id of an E.164 number (no '+')."""
    return phone.lstrip("+")


def status(wamid, name, when, phone="+16505551234"):
    """One `statuses` item: sent, delivered or read (with conversation and pricing, as Meta sends them)."""
    return {"id": wamid, "status": name, "timestamp": ts(when), "recipient_id": wa_id(phone),
            "conversation": {"id": "8a3e1d2b5c0f4e6a9b7c1d3e5f7a9b1c", "origin": {"type": "marketing"}},
            "pricing": {"billable": True, "pricing_model": "PMP", "category": "marketing", "type": "regular"}}


def failed(wamid, when, phone="+16505551234", code=131026, title="Message undeliverable",
           details="Message Undeliverable."):
    """One failed `statuses` item with Meta's `errors`."""
    return {"id": wamid, "status": "failed", "timestamp": ts(when), "recipient_id": wa_id(phone),
            "errors": [{"code": code, "title": title, "message": title, "error_data": {"details": details},
                        "href": ERROR_CODES_URL}]}


def text(wamid, phone, when, body="Yes, tell me more!"):
    """An incoming text message."""
    return {"from": wa_id(phone), "id": wamid, "timestamp": ts(when), "text": {"body": body}, "type": "text"}


def button_reply(wamid, phone, when, context_wamid, title="I'm interested"):
    """An interactive reply-button press."""
    return {"context": {"from": METADATA["display_phone_number"], "id": context_wamid}, "from": wa_id(phone),
            "id": wamid, "timestamp": ts(when), "type": "interactive",
            "interactive": {"type": "button_reply", "button_reply": {"id": "interested", "title": title}}}


def template_button(wamid, phone, when, context_wamid, text_="Yes, tell me more"):
    """A template quick-reply button press."""
    return {"context": {"from": METADATA["display_phone_number"], "id": context_wamid}, "from": wa_id(phone),
            "id": wamid, "timestamp": ts(when), "type": "button", "button": {"payload": text_, "text": text_}}


def value(statuses=(), messages=()):
    """One `changes[].value`."""
    data = {"messaging_product": "whatsapp", "metadata": dict(METADATA)}
    if messages:
        data["contacts"] = [{"profile": {"name": "Contact"}, "wa_id": m["from"]} for m in messages]
        data["messages"] = list(messages)
    if statuses:
        data["statuses"] = list(statuses)
    return data


def notification(statuses=(), messages=()):
    """A whole notification: one entry, one change."""
    return {"object": "whatsapp_business_account",
            "entry": [{"id": WABA_ID, "changes": [{"value": value(statuses, messages), "field": "messages"}]}]}


def sign(raw, secret):
    """The X-Hub-Signature-256 header Meta would send."""
    return "sha256=" + hmac.new(secret.encode(), raw, hashlib.sha256).hexdigest()


def post(client, payload, secret=None, signature=None):
    """POST a notification (a dict, or raw bytes) the way Meta does."""
    raw = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    headers = {}
    if secret:
        headers["X-Hub-Signature-256"] = sign(raw, secret)
    if signature is not None:
        headers["X-Hub-Signature-256"] = signature
    return client.post(URL, data=raw, headers=headers, content_type="application/json")


def rewrite(payload, mapping):
    """The payload with some ids/numbers replaced (so a sample can name this test's messages)."""
    raw = json.dumps(payload)
    for old, new in mapping.items():
        raw = raw.replace(old, new)
    return json.loads(raw)
