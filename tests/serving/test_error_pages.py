"""Issue #13, point 8 (gunicorn's part): the requests gunicorn refuses before the app sees them (400, 414, 431)
are answered in the contract's JSON envelope, not gunicorn's HTML page."""
import json
import socket

import pytest


def raw_request(port, data):
    """Send `data` as is; (status, headers text, body bytes) of the answer."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(data)
        response = b""
        while True:
            try:
                part = sock.recv(65536)
            except ConnectionResetError:
                break
            if not part:
                break
            response += part
    head, _, body = response.partition(b"\r\n\r\n")
    return int(head.split(b" ", 2)[1]), head.decode("latin1"), body


CASES = {
    "bad request line": (b"NOT A REQUEST\r\n\r\n", 400, "bad_request"),
    "request line too long": (b"GET /" + b"a" * 9000 + b" HTTP/1.1\r\nHost: x\r\n\r\n", 414, "uri_too_long"),
    "too many header fields": (b"GET /api/health HTTP/1.1\r\nHost: x\r\n"
                               + b"".join(b"X-H%d: 1\r\n" % i for i in range(120)) + b"\r\n",
                               431, "request_header_fields_too_large"),
    "header field too large": (b"GET /api/health HTTP/1.1\r\nHost: x\r\nX-Big: " + b"b" * 9000 + b"\r\n\r\n",
                               431, "request_header_fields_too_large"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_gunicorn_refusals_are_json(dyno, case):
    data, expected_status, code = CASES[case]
    status, head, body = raw_request(dyno.port, data)
    assert status == expected_status, head
    assert "content-type: application/json" in head.lower(), head
    error = json.loads(body)["error"]
    assert error["code"] == code
    assert set(error) == {"code", "message", "details"}
