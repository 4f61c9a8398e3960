"""Issue #13, point 4: slow clients (slow headers, slow bodies, to the public webhook too) cannot starve the dyno.

50 connections hold requests open by sending them a piece at a time; meanwhile normal requests (reads, a write,
the webhook) must all be answered. Under the former model (gthread, 2 workers x 4 threads) each slow client
held a thread and the normal requests timed out. The latency goal (p99 < 100 ms) is measured in
bench/slow_clients.py, not asserted here.
"""
import itertools
import time

import pytest
import requests

from fakes.dyno import TOKEN, Slowloris

SLOW_CLIENTS = 50
NORMAL_TIMEOUT = 5.0  # what the probe allowed each normal request
LOAD_SECONDS = 6.0  # longer than gunicorn's keepalive (2 s), which bounds a request's header reading
WEBHOOK = {"object": "whatsapp_business_account", "entry": []}


def normal_requests(url):
    """(label, callable) of the normal requests: health, cached stats, lists, the webhook, a write."""
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {TOKEN}"
    for i in itertools.count():
        yield "GET /api/health", lambda: session.get(url + "/api/health", timeout=NORMAL_TIMEOUT)
        yield "GET /api/messages/stats", lambda: session.get(url + "/api/messages/stats", timeout=NORMAL_TIMEOUT)
        yield "GET /api/categories", lambda: session.get(url + "/api/categories", timeout=NORMAL_TIMEOUT)
        yield "POST /api/webhooks/whatsapp", lambda: session.post(
            url + "/api/webhooks/whatsapp", json=WEBHOOK, timeout=NORMAL_TIMEOUT)
        # A fresh connection too: the slow clients must not hold the accept path either.
        yield "POST /api/categories (new connection)", lambda i=i: requests.post(
            url + "/api/categories", json={"name": f"slow-clients-{time.time_ns()}-{i}"}, timeout=NORMAL_TIMEOUT,
            headers={"Authorization": f"Bearer {TOKEN}"})


@pytest.mark.slow
def test_normal_requests_all_answer_while_50_slow_clients_hold_connections(dyno):
    slow = Slowloris(dyno.port, SLOW_CLIENTS, token=TOKEN).open()
    answered, failed = [], []
    try:
        deadline = time.monotonic() + LOAD_SECONDS
        for label, call in normal_requests(dyno.url):
            if time.monotonic() >= deadline:
                break
            try:
                response = call()
                (answered if response.status_code in (200, 201) else failed).append((label, response.status_code))
            except requests.RequestException as exc:
                failed.append((label, type(exc).__name__))
                if len(failed) >= 3:  # enough to show starvation without waiting out every timeout
                    break
    finally:
        slow.close()
    assert failed == [], f"{len(answered)} answered, failed: {failed}\n{dyno.output()}"
    assert len(answered) >= 20, f"only {len(answered)} normal requests in {LOAD_SECONDS}s"
