"""Hypothesis against POST /api/webhooks/whatsapp: arbitrary JSON, Meta-shaped payloads with random fields, bytes
that are not JSON, wrong signatures, oversized bodies. Never a 5xx; rejected or not-understood input writes nothing;
a notification delivered twice changes nothing the second time.
"""
import hashlib
import hmac
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select, update

from chatbot.clock import utcnow
from chatbot.extensions import db
from chatbot.models import Campaign, Contact, Interaction, Message
from chatbot.services.campaigns import launch_campaign
from tests import factories
from tests.conftest import TABLES

URL = "/api/webhooks/whatsapp"
KNOWN_PHONE = "+14155550101"
KNOWN_WA_ID = KNOWN_PHONE.lstrip("+")
KNOWN_WAMID = "wamid.HBgLMTQxNTU1NTAxMDEVAgARGBI1RjQ4"
SECRET = "fuzz-app-secret"
FUZZ = settings(max_examples=60, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

# Any JSON document.
scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text()
json_values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4)
                           | st.dictionaries(st.text(max_size=10), inner, max_size=4), max_leaves=16)


def either(strategy):
    """The right kind of value, or any JSON at all in its place."""
    return strategy | json_values


def obj(**fields):
    """A dict holding any subset of these fields."""
    return st.fixed_dictionaries({}, optional=fields)


wamids = either(st.just(KNOWN_WAMID) | st.text(max_size=140))
senders = either(st.sampled_from([KNOWN_WA_ID, "14155550199"]) | st.text("0123456789+", max_size=20))
timestamps = either(st.integers(min_value=-2**70, max_value=2**70).map(str) | st.integers() | st.floats())
errors = either(st.lists(obj(code=either(st.integers()), title=st.text(), message=st.text(),
                             error_data=either(obj(details=either(st.text())))), max_size=2))
statuses = obj(id=wamids, status=either(st.sampled_from(["sent", "delivered", "read", "failed", "deleted"])),
               timestamp=timestamps, recipient_id=senders, errors=errors)
kinds = either(st.sampled_from(["text", "button", "interactive", "image", "reaction", "unsupported"]))
answers = obj(**{"from": senders}, id=wamids, timestamp=timestamps, type=kinds,
              text=either(obj(body=either(st.text()))), button=either(obj(text=either(st.text()), payload=st.text())),
              interactive=either(obj(type=either(st.sampled_from(["button_reply", "list_reply"])),
                                     button_reply=either(obj(id=st.text(), title=either(st.text()))))),
              image=either(obj(caption=either(st.text()))))
values = obj(messaging_product=either(st.just("whatsapp")), statuses=either(st.lists(statuses, max_size=3)),
             messages=either(st.lists(answers, max_size=3)), contacts=json_values, metadata=json_values)
changes = obj(field=either(st.sampled_from(["messages", "account_update"])), value=either(values))
entries = obj(id=either(st.text(max_size=20)), changes=either(st.lists(changes, max_size=2)))
notifications = st.fixed_dictionaries({"object": either(st.just("whatsapp_business_account"))},
                                      optional={"entry": either(st.lists(entries, max_size=2))})


@pytest.fixture
def known(app):
    """A running campaign whose first message to KNOWN_PHONE was sent as KNOWN_WAMID."""
    category = factories.category()["id"]
    factories.contact([category], number=KNOWN_PHONE)
    campaign_id = factories.campaign([category])["id"]
    launch_campaign(campaign_id)
    db.session.execute(update(Message).where(Message.campaign_id == campaign_id)
                       .values(status="sent", wamid=KNOWN_WAMID, sent_at=utcnow()))
    db.session.commit()
    return campaign_id


def snapshot():
    """Everything a notification may change: row counts, message states, contacts' and campaigns' fields."""
    db.session.rollback()  # a fresh transaction: see what the request committed
    counts = {table: db.session.scalar(select(func.count()).select_from(db.metadata.tables[table]))
              for table in TABLES}
    messages = db.session.execute(select(
        Message.id, Message.status, Message.sent_at, Message.delivered_at, Message.read_at, Message.failed_at,
        Message.error_code, Message.error_message, Message.interacted_at).order_by(Message.id)).all()
    contacts = db.session.execute(select(Contact.id, Contact.last_interaction_at).order_by(Contact.id)).all()
    campaigns = db.session.execute(select(Campaign).order_by(Campaign.id)).scalars().all()
    counters = [(c.id, c.status, c.sent_count, c.delivered_count, c.read_count, c.interaction_count,
                 c.failed_count, c.no_interaction_count) for c in campaigns]
    return counts, messages, contacts, counters


def post(client, raw, signature=None):
    """POST raw bytes as JSON, signed if asked."""
    headers = {"Content-Type": "application/json"}
    if signature is not None:
        headers["X-Hub-Signature-256"] = signature
    return client.post(URL, data=raw, headers=headers)


def sign(raw, secret=SECRET):
    """The X-Hub-Signature-256 Meta would send."""
    return "sha256=" + hmac.new(secret.encode(), raw, hashlib.sha256).hexdigest()


def mentions_known(raw):
    """Could this payload touch our data (the known wamid or number appears in it)?"""
    return KNOWN_WAMID.encode() in raw or KNOWN_WA_ID.encode() in raw


def test_arbitrary_json_is_acknowledged_and_writes_nothing(client, known):
    """Any JSON document: 200 with a summary, no 5xx, not one row changed."""
    @FUZZ
    @given(payload=json_values)
    def check(payload):
        before = snapshot()
        answer = post(client, json.dumps(payload).encode())
        assert answer.status_code == 200, answer.get_data(as_text=True)
        assert set(answer.json) == {"statuses", "messages", "changed", "interactions"}
        assert snapshot() == before
    check()


def test_meta_shaped_payloads_never_fail_and_apply_once(client, known):
    """Meta's shape with random fields: 200; untouched data when nothing names us; a redelivery changes nothing."""
    @FUZZ
    @given(payload=notifications)
    def check(payload):
        raw = json.dumps(payload).encode()
        before = snapshot()
        answer = post(client, raw)
        assert answer.status_code == 200, answer.get_data(as_text=True)
        after = snapshot()
        if not mentions_known(raw):
            assert after == before
        assert post(client, raw).status_code == 200
        assert snapshot() == after, "a redelivered notification changed something"
    check()


def test_bodies_that_are_not_json_are_400_and_write_nothing(client, known):
    """Random bytes (and broken UTF-8): 400 unless they happen to be JSON; never a 5xx, never a write."""
    @FUZZ
    @given(raw=st.binary(max_size=300) | st.text(max_size=100).map(lambda t: b"{" + t.encode("utf-8", "replace")))
    def check(raw):
        before = snapshot()
        answer = post(client, raw)
        try:
            json.loads(raw)
        except ValueError:
            assert answer.status_code == 400 and answer.json["error"]["code"] == "bad_request"
        else:
            assert answer.status_code == 200
        assert snapshot() == before
    check()


def test_unsigned_or_wrongly_signed_notifications_are_403_and_write_nothing(app, client, known):
    """With an app secret set, even a payload naming our message is refused unless its signature is right."""
    app.config["WHATSAPP_APP_SECRET"] = SECRET
    read = {"object": "whatsapp_business_account", "entry": [{"id": "1", "changes": [{"field": "messages", "value": {
        "statuses": [{"id": KNOWN_WAMID, "status": "read", "timestamp": "1700000000"}]}}]}]}

    @FUZZ
    @given(payload=st.just(read) | notifications,
           signature=st.none() | st.text(max_size=80) | st.just("sha256=") | st.binary(min_size=1).map(
               lambda b: sign(b)) | st.just(sign(b"x", "other-secret")))
    def check(payload, signature):
        raw = json.dumps(payload).encode()
        if signature == sign(raw):
            return
        before = snapshot()
        try:
            answer = post(client, raw, signature)
        except ValueError:  # a header value werkzeug itself refuses to send (newline): never reaches us
            return
        assert answer.status_code == 403 and answer.json["error"]["code"] == "forbidden"
        assert snapshot() == before
    check()
    assert post(client, json.dumps(read).encode(), sign(json.dumps(read).encode())).status_code == 200
    assert snapshot()[1][0].status == "read"


def test_body_over_one_mebibyte_is_413_and_writes_nothing(client, known):
    """Meta never sends that much: the limit answers before anything is parsed."""
    before = snapshot()
    raw = json.dumps({"object": "whatsapp_business_account", "pad": "x" * (1024 * 1024)}).encode()
    answer = post(client, raw)
    assert answer.status_code == 413 and answer.json["error"]["code"] == "payload_too_large"
    assert snapshot() == before


def test_interaction_rows_only_come_from_known_contacts(client, known):
    """An answer from the known number is recorded once; the same from an unknown number is not recorded."""
    def answer(wa_id, wamid):
        return {"object": "whatsapp_business_account", "entry": [{"id": "1", "changes": [{"field": "messages",
                "value": {"messages": [{"from": wa_id, "id": wamid, "timestamp": "1900000000", "type": "text",
                                        "text": {"body": "yes"}}]}}]}]}
    post(client, json.dumps(answer("14155550199", "wamid.unknown.1")).encode())
    assert db.session.scalar(select(func.count()).select_from(Interaction)) == 0
    post(client, json.dumps(answer(KNOWN_WA_ID, "wamid.known.1")).encode())
    post(client, json.dumps(answer(KNOWN_WA_ID, "wamid.known.1")).encode())
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Interaction)) == 1
