"""Webhook handshake and signature: what the endpoint trusts, and bad input answered without a 500."""
import json

import pytest

from fakes import meta

SECRET = "app-secret-of-the-meta-app"


@pytest.fixture
def app_config(app_config):
    """A verify token and an app secret, as in production."""
    app_config.update({"WHATSAPP_VERIFY_TOKEN": "verify-me", "WHATSAPP_APP_SECRET": SECRET})
    return app_config


def handshake(client, **args):
    """GET the endpoint the way Meta subscribes."""
    query = {"hub.mode": "subscribe", "hub.verify_token": "verify-me", "hub.challenge": "1158201444", **args}
    return client.get(meta.URL, query_string={k: v for k, v in query.items() if v is not None})


def test_verification_echoes_the_challenge_as_plain_text(client):
    response = handshake(client)

    assert response.status_code == 200
    assert response.mimetype == "text/plain"
    assert response.get_data(as_text=True) == "1158201444"


@pytest.mark.parametrize("args", [{"hub.verify_token": "wrong"}, {"hub.verify_token": None},
                                  {"hub.mode": "unsubscribe"}, {"hub.mode": None}])
def test_verification_with_a_wrong_token_or_mode_is_refused(client, args):
    response = handshake(client, **args)

    assert response.status_code == 403
    assert response.get_json()["error"]["code"] == "forbidden"


def test_verification_is_refused_while_no_verify_token_is_configured(app, client):
    app.config["WHATSAPP_VERIFY_TOKEN"] = None

    assert handshake(client, **{"hub.verify_token": ""}).status_code == 403


def test_a_notification_signed_with_the_app_secret_is_accepted(client):
    assert meta.post(client, meta.load("status_delivered"), secret=SECRET).status_code == 200


@pytest.mark.parametrize("signature", [None, "", "sha256=", "sha256=" + "0" * 64, "sha1=abc",
                                       meta.sign(b"{}", SECRET), meta.sign(b"x", "another-secret")])
def test_a_missing_or_wrong_signature_is_refused(client, signature):
    raw = json.dumps(meta.load("status_delivered")).encode()

    response = meta.post(client, raw, signature=signature)

    assert response.status_code == 403


def test_the_signature_covers_the_raw_bytes_not_the_parsed_json(client):
    payload = meta.load("status_delivered")
    signed = json.dumps(payload).encode()
    same_json_other_bytes = json.dumps(payload, indent=2).encode()

    response = meta.post(client, same_json_other_bytes, signature=meta.sign(signed, SECRET))

    assert response.status_code == 403


def test_without_an_app_secret_notifications_are_not_signature_checked(app, client):
    app.config["WHATSAPP_APP_SECRET"] = None

    assert meta.post(client, meta.load("status_delivered")).status_code == 200


def test_the_webhook_needs_no_api_token(app, client):
    app.config["API_TOKEN"] = "dashboard-token"

    assert handshake(client).status_code == 200
    assert meta.post(client, meta.load("status_read"), secret=SECRET).status_code == 200


@pytest.mark.parametrize("raw", [b"not json", b'{"object": ', b"\xff\xfe\x00", b"[" * 100000 + b"]" * 100000],
                         ids=["text", "truncated", "not-utf8", "too-deep"])
def test_a_body_that_is_not_json_is_a_400_not_a_500(client, raw):
    response = meta.post(client, raw, secret=SECRET)

    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "bad_request"


@pytest.mark.parametrize("payload", [
    [], 42, None, "text", {}, {"object": "page", "entry": []}, {"object": "whatsapp_business_account"},
    {"object": "whatsapp_business_account", "entry": {"id": 1}},
    {"object": "whatsapp_business_account", "entry": [None, 1, {"changes": "x"}, {"changes": [None, {"value": 3}]}]},
    meta.notification(statuses=[{"id": 5, "status": "read"}, {"id": "wamid.x", "status": "READ"},
                                {"id": "wamid.x", "status": "read", "timestamp": "soon"},
                                {"id": "wamid.x\u0000", "status": "failed", "errors": [{"code": True}]},
                                {"id": "w" * 500, "status": "delivered", "timestamp": 1e300}]),
    meta.notification(messages=[{"from": "+1 650", "id": "wamid.y", "type": "text"},
                                {"from": "16505551234", "id": "wamid.z", "type": "text", "text": "flat"},
                                {"from": "16505551234", "id": "wamid.q", "type": "interactive", "interactive": 3},
                                {"from": "16505551234", "id": ["wamid"], "type": "text"}]),
], ids=lambda p: json.dumps(p)[:40])
def test_an_unexpected_shape_is_acknowledged_and_ignored(client, payload):
    response = meta.post(client, json.dumps(payload).encode(), secret=SECRET)

    assert response.status_code == 200


def test_changes_for_another_business_number_of_the_app_are_ignored(app, client, launch):
    launched = launch(phones=["+16505551234"])
    app.config["WHATSAPP_PHONE_NUMBER_ID"] = "999999999999999"  # the samples are for 106540352242922

    response = meta.post(client, meta.load("message_text"), secret=SECRET)

    assert response.status_code == 200
    assert response.get_json()["messages"] == 0
    assert launched.campaign().interaction_count == 0
    app.config["WHATSAPP_PHONE_NUMBER_ID"] = "106540352242922"
    assert meta.post(client, meta.load("message_text"), secret=SECRET).get_json()["interactions"] == 1
