"""The WhatsApp client against a local Cloud API: Meta's formats, errors, retries, timeouts; dry-run."""
import datetime as dt
import logging
import re

import pytest

from chatbot.messaging import dispatch
from chatbot.messaging.cloud_api import TransportMisconfigured, client_for
from fakes.cloud_api import PHONE_NUMBER_ID, TOKEN, error, raw, slow

PHONE = "+16505551234"


def test_text_message_is_posted_in_metas_format_with_the_bearer_token(cloud, launch, clock):
    launched = launch(phones=[PHONE], send=False)
    sent_at = clock.now()

    assert dispatch.run_once() == {"sent": 1, "failed": 0}

    (request,) = cloud.requests
    assert request["path"] == f"/v21.0/{PHONE_NUMBER_ID}/messages"
    assert request["headers"]["Authorization"] == f"Bearer {TOKEN}"
    assert request["json"] == {"messaging_product": "whatsapp", "recipient_type": "individual", "to": PHONE,
                               "type": "text", "text": {"preview_url": False, "body": "Hello! Reply to learn more."}}
    message = launched.first()
    assert message.status == "sent"
    assert message.wamid.startswith("wamid.HBgLfake")
    assert message.sent_at == sent_at
    assert message.attempts == 1 and message.next_attempt_at is None


def test_template_message_is_posted_with_its_name_and_language(cloud, launch):
    launch(phones=[PHONE], first={"template": "spring_sale", "language": "pt_BR"})

    assert cloud.requests[0]["json"] == {
        "messaging_product": "whatsapp", "recipient_type": "individual", "to": PHONE, "type": "template",
        "template": {"name": "spring_sale", "language": {"code": "pt_BR"}}}


@pytest.mark.parametrize("code, title, details", [
    (131026, "Message undeliverable", "Message Undeliverable."),
    (131047, "Re-engagement message", "More than 24 hours have passed since the recipient last replied."),
    (100, "(#100) Invalid parameter", "Parameter value is not valid"),
])
def test_permanent_error_fails_the_message_with_metas_code_and_text(cloud, launch, clock, code, title, details):
    cloud.script(PHONE, error(400, code, title, details))
    launched = launch(phones=[PHONE], send=False)

    assert dispatch.run_once() == {"sent": 0, "failed": 1}

    assert len(cloud.requests) == 1  # never retried
    message = launched.first()
    assert (message.status, message.error_code) == ("failed", str(code))
    assert message.error_message == f"{title}: {details}"
    assert message.failed_at == clock.now() and message.sent_at is None and message.wamid is None
    assert launched.campaign().failed_count == 1


@pytest.mark.parametrize("answer", [
    error(503, 2, "Service temporarily unavailable"),
    error(500, 131000, "Something went wrong"),
    raw(502, "<html>Bad Gateway</html>"),
], ids=["http-503", "http-500-131000", "non-json-502"])
def test_server_errors_are_retried_with_backoff(cloud, launch, clock, answer):
    cloud.script(PHONE, answer, answer)
    launched = launch(phones=[PHONE], send=False)
    started = clock.monotonic()

    assert dispatch.run_once() == {"sent": 1, "failed": 0}

    assert len(cloud.requests) == 3
    assert launched.first().status == "sent"
    assert clock.monotonic() - started >= 0.01 + 0.02  # exponential backoff, slept on the test clock


def test_timeout_is_retried(cloud, app, launch):
    app.config["WHATSAPP_TIMEOUT_SECONDS"] = 0.2
    cloud.script(PHONE, slow(0.6))
    launched = launch(phones=[PHONE], send=False)

    assert dispatch.run_once() == {"sent": 1, "failed": 0}

    assert len(cloud.requests) == 2
    assert launched.first().status == "sent"


def test_still_failing_after_the_retries_stays_pending_for_a_later_dispatch(cloud, launch, clock):
    cloud.script(PHONE, *[error(503, 131016, "Service unavailable")] * 3)
    launched = launch(phones=[PHONE], send=False)

    assert dispatch.run_once() == {"sent": 0, "failed": 0}

    message = launched.first()
    assert (message.status, message.attempts, message.error_code) == ("pending", 1, "131016")
    assert message.next_attempt_at == clock.now() + dt.timedelta(seconds=30)
    assert dispatch.run_once() == {"sent": 0, "failed": 0}  # not due yet
    assert len(cloud.requests) == 3

    clock.advance(seconds=31)
    assert dispatch.run_once() == {"sent": 1, "failed": 0}
    message = launched.first()
    assert (message.status, message.attempts, message.error_code) == ("sent", 2, None)


def test_a_message_failing_for_too_long_is_given_up(cloud, app, launch, clock):
    app.config["DISPATCH_MAX_ATTEMPTS"] = 2
    cloud.script(PHONE, *[error(429, 130429, "Rate limit hit")] * 6)
    launched = launch(phones=[PHONE], send=False)

    dispatch.run_once()
    clock.advance(minutes=5)
    assert dispatch.run_once() == {"sent": 0, "failed": 1}

    message = launched.first()
    assert (message.status, message.error_code, message.attempts) == ("failed", "130429", 2)


def test_meta_throttling_stops_the_batch_and_releases_the_rest(cloud, app, launch, clock):
    app.config["DISPATCH_CONCURRENCY"] = 1  # else the next ones are already in flight
    launched = launch(phones=[PHONE, "+16315551181", "+14155550123"], send=False)
    by_id = sorted(range(3), key=lambda i: launched.first(i).id)  # the dispatcher's order
    first_phone = launched.phones[by_id[0]]
    cloud.script(first_phone, error(400, 130429, "Rate limit hit"))

    assert dispatch.run_once() == {"sent": 0, "failed": 0}

    assert cloud.sent_to() == [first_phone]  # not retried at once, the others not tried while Meta throttles
    others = [launched.first(i) for i in by_id[1:]]
    assert all(m.status == "pending" and m.attempts == 0 and m.next_attempt_at > clock.now() for m in others)


def test_a_bad_token_is_not_retried_at_once_but_keeps_the_message(cloud, launch):
    cloud.script(PHONE, error(401, 190, "Error validating access token: Session has expired"))
    launched = launch(phones=[PHONE], send=False)

    assert dispatch.run_once() == {"sent": 0, "failed": 0}

    assert len(cloud.requests) == 1
    message = launched.first()
    assert (message.status, message.error_code) == ("pending", "190")


def test_dry_run_sends_nothing_and_logs_the_masked_number(cloud_api, launch, caplog):
    caplog.set_level(logging.INFO, logger="chatbot.messaging.cloud_api")
    launched = launch(phones=[PHONE], send=False)

    assert dispatch.run_once() == {"sent": 1, "failed": 0}

    assert cloud_api.requests == []
    assert re.fullmatch(r"wamid\.dryrun\.[0-9a-f]{32}", launched.first().wamid)
    logged = " ".join(r.getMessage() for r in caplog.records)
    assert "+1650*****34" in logged and PHONE not in logged


def test_cloud_transport_without_its_token_refuses_to_start(app):
    with pytest.raises(TransportMisconfigured, match="WHATSAPP_TOKEN"):
        client_for({**app.config, "WHATSAPP_TRANSPORT": "cloud", "WHATSAPP_TOKEN": None,
                    "WHATSAPP_PHONE_NUMBER_ID": "1"})
