"""Assertions shared by the API tests: the error envelope and the timestamp format."""
import re

ISO_UTC = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?Z$")


def error(response, status, code):
    """The contract's envelope with this status and code; returns its details."""
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.is_json, response.headers.get("Content-Type")
    body = response.get_json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "details"}
    assert body["error"]["code"] == code
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]
    assert isinstance(body["error"]["details"], dict)
    return body["error"]["details"]


def utc(value):
    """True when `value` is ISO 8601 in UTC with a Z."""
    return isinstance(value, str) and ISO_UTC.match(value) is not None
