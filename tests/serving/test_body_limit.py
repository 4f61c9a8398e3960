"""Issue #13, point 6: a chunked body over 1 MiB is a 413 like one with a Content-Length, on every route.

The probe: a chunked 5 MiB `POST /api/contacts` (valid JSON, then whitespace) was cut at 1 MiB, parsed, and
answered 201. Checked on the real server (gunicorn de-chunks the body) and through Flask's test client.
"""
import io
import json
import socket
import threading

import pytest

from fakes.dyno import TOKEN

MIB = 1024 * 1024
CONTACT = {"phone": "+14155550142", "name": "Chunked"}


def padded(document, size):
    """`document` as JSON followed by whitespace up to `size` bytes: valid JSON at any cut."""
    head = json.dumps(document).encode()
    return head + b" " * (size - len(head))


def chunked(body, chunk=64 * 1024):
    """`body` in HTTP/1.1 chunked transfer coding."""
    out = io.BytesIO()
    for start in range(0, len(body), chunk):
        part = body[start:start + chunk]
        out.write(b"%x\r\n" % len(part) + part + b"\r\n")
    out.write(b"0\r\n\r\n")
    return out.getvalue()


def post_chunked(port, path, body):
    """POST `body` chunked over a raw socket; (status, headers text, response body). Sends from a thread while
    reading, so an early 413 is read even if the server stops reading the rest."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=20)
    head = (f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            f"Authorization: Bearer {TOKEN}\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n").encode()

    def send():
        try:
            sock.sendall(head + chunked(body))
        except OSError:
            pass  # the server answered and closed before reading it all

    sender = threading.Thread(target=send, daemon=True)
    sender.start()
    response = b""
    try:
        while True:
            part = sock.recv(65536)
            if not part:
                break
            response += part
    except OSError:
        pass
    sender.join(timeout=20)
    sock.close()
    head_text, _, payload = response.partition(b"\r\n\r\n")
    status = int(head_text.split(b" ", 2)[1]) if head_text else None
    return status, head_text.decode("latin1"), payload


def test_real_server_answers_413_to_a_chunked_5_mib_contact(dyno):
    status, head, payload = post_chunked(dyno.port, "/api/contacts", padded(CONTACT, 5 * MIB))
    assert status == 413, head + dyno.output()
    assert b'"payload_too_large"' in payload


def test_real_server_still_takes_a_small_chunked_contact(dyno):
    small = padded({**CONTACT, "phone": "+14155550143"}, 4096)
    status, head, payload = post_chunked(dyno.port, "/api/contacts", small)
    assert status == 201, head + payload.decode(errors="replace")
    # The body may come back chunked: the contact's name is in it either way.
    assert b'"Chunked"' in payload


def test_real_server_answers_413_to_a_chunked_webhook_over_the_limit(dyno):
    status, head, _ = post_chunked(dyno.port, "/api/webhooks/whatsapp",
                                   padded({"object": "whatsapp_business_account", "entry": []}, MIB + 1))
    assert status == 413, head


def client_post_chunked(client, method, path, body):
    """A chunked request through Flask's test client (no Content-Length)."""
    return client.open(path, method=method, input_stream=io.BytesIO(body),
                       headers={"Transfer-Encoding": "chunked", "Content-Type": "application/json"})


ROUTES = [("POST", "/api/contacts"), ("POST", "/api/categories"), ("POST", "/api/webhooks/whatsapp"),
          ("PATCH", "/api/contacts/1"), ("POST", "/api/campaigns"), ("GET", "/api/health"),
          ("POST", "/api/no-such-route")]


@pytest.mark.parametrize("method,path", ROUTES)
def test_every_route_answers_413_to_a_chunked_body_over_1_mib(client, method, path):
    response = client_post_chunked(client, method, path, padded(CONTACT, MIB + 1))
    assert response.status_code == 413, response.get_data(as_text=True)[:300]
    assert response.get_json()["error"]["code"] == "payload_too_large"


def test_a_chunked_body_of_exactly_1_mib_is_read_whole(client):
    response = client_post_chunked(client, "POST", "/api/contacts", padded(CONTACT, MIB))
    assert response.status_code == 201, response.get_data(as_text=True)[:300]
    assert response.get_json()["name"] == "Chunked"
