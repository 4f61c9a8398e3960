"""Meta's error classes, one test each, against the local Cloud API answering with Meta's error bodies (issue 17):
throughput (130429) backs the dispatcher off, pair rate (131056) delays that message only and never retries it
early, the marketing per-user limit (131049) fails for good, 5xx and timeouts retry with backoff, capped."""
import datetime as dt

from chatbot.messaging import dispatch
from fakes.cloud_api import error, marketing_limit, pair_rate, slow, throughput

PHONES = ["+16505551234", "+16315551181", "+14155550123"]


def in_dispatch_order(launched):
    """The first messages, oldest id first (the order the dispatcher claims them)."""
    return sorted((launched.first(i) for i in range(len(launched.phones))), key=lambda m: m.id)


def test_throughput_backs_the_whole_dispatcher_off_and_the_message_goes_later(cloud, app, launch, clock):
    app.config["DISPATCH_CONCURRENCY"] = 1
    launched = launch(phones=PHONES, send=False)
    first = in_dispatch_order(launched)[0]
    phone = launched.phones[[c["id"] for c in launched.contacts].index(first.contact_id)]
    cloud.script(phone, throughput())

    assert dispatch.run_once() == {"sent": 0, "failed": 0}

    assert cloud.sent_to() == [phone]  # no immediate retry, and the others wait too
    message = launched.first(launched.phones.index(phone))
    assert (message.status, message.error_code, message.send_started_at) == ("pending", "130429", None)
    assert message.next_attempt_at == clock.now() + dt.timedelta(seconds=30)
    assert all(m.next_attempt_at > clock.now() for m in in_dispatch_order(launched))  # the whole dispatcher
    clock.advance(seconds=30)
    assert dispatch.run_once() == {"sent": 3, "failed": 0}


def test_pair_rate_delays_that_message_only_and_never_retries_it_early(cloud, app, launch, clock):
    app.config["WHATSAPP_PAIR_RATE_DELAY_SECONDS"] = 6.0
    cloud.script(PHONES[0], pair_rate())
    launched = launch(phones=PHONES, send=False)

    assert dispatch.run_once() == {"sent": 2, "failed": 0}  # the other users are not held back

    assert cloud.sent_to().count(PHONES[0]) == 1
    message = launched.first(0)
    assert (message.status, message.error_code, message.attempts) == ("pending", "131056", 1)
    assert message.next_attempt_at == clock.now() + dt.timedelta(seconds=6)
    clock.advance(seconds=5.9)
    assert dispatch.run_once() == {"sent": 0, "failed": 0}
    assert cloud.sent_to().count(PHONES[0]) == 1  # not one request before its delay
    clock.advance(seconds=0.1)
    assert dispatch.run_once() == {"sent": 1, "failed": 0}
    assert launched.first(0).status == "sent"


def test_a_second_pair_rate_refusal_waits_twice_as_long(cloud, app, launch, clock):
    cloud.script(PHONES[0], pair_rate(), pair_rate())
    launched = launch(phones=PHONES[:1], send=False)

    dispatch.run_once()
    clock.advance(seconds=6)
    dispatch.run_once()

    assert launched.first().next_attempt_at == clock.now() + dt.timedelta(seconds=12)


def test_the_marketing_per_user_limit_fails_the_message_with_metas_code_and_no_retry(cloud, launch, clock):
    cloud.script(PHONES[0], marketing_limit())
    launched = launch(phones=PHONES[:1], send=False)

    assert dispatch.run_once() == {"sent": 0, "failed": 1}
    clock.advance(hours=2)
    assert dispatch.run_once() == {"sent": 0, "failed": 0}

    assert len(cloud.requests) == 1
    message = launched.first()
    assert (message.status, message.error_code) == ("failed", "131049")
    assert message.error_message.startswith("This message was not delivered to maintain healthy ecosystem")
    assert launched.campaign().failed_count == 1


def test_server_errors_and_timeouts_retry_with_doubling_backoff_then_give_up(cloud, app, launch, clock):
    app.config.update(DISPATCH_MAX_ATTEMPTS=3, WHATSAPP_RETRY_ATTEMPTS=2, WHATSAPP_TIMEOUT_SECONDS=0.2)
    cloud.script(PHONES[0], error(500, 1, "An unknown error occurred"), slow(0.6),  # attempt 1: 5xx, timeout
                 error(503, 131016, "Service unavailable"), error(502, 131000, "Something went wrong"),
                 *[error(503, 2, "Service temporarily unavailable")] * 2)
    launched = launch(phones=PHONES[:1], send=False)

    delays = []
    for _ in range(3):
        dispatch.run_once()
        message = launched.first()
        if message.status == "pending":
            delays.append((message.next_attempt_at - clock.now()).total_seconds())
            clock.set(message.next_attempt_at)

    assert delays == [30.0, 60.0]  # DISPATCH_RETRY_DELAY_SECONDS, doubling
    assert (message.status, message.error_code, message.attempts) == ("failed", "2", 3)
    assert len(cloud.requests) == 6  # 3 dispatches x 2 immediate tries
