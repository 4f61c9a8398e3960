"""Secrets never reach the logs: the bearer token, the app secret, the verify token and phone numbers are masked
in everything a process writes, for API requests, webhooks and tracebacks alike (see tests/logging_probe.py)."""
import json
import logging
import os
import subprocess
import sys

import pytest

from chatbot.logging import mask

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SECRETS = {"API_TOKEN": "tok-4e1d9c7a55b2", "WHATSAPP_APP_SECRET": "appsecret-93b0f1d2",
           "WHATSAPP_VERIFY_TOKEN": "verify-1c2d3e4f"}
PHONE = "+14155550142"


@pytest.fixture
def probe_logs(database_url, redis_url):
    """Everything the probe process wrote on stderr (JSON log lines), run at INFO with JSON logs."""
    env = {**os.environ, **SECRETS, "PROBE_PHONE": PHONE, "LOG_LEVEL": "DEBUG", "LOG_FORMAT": "json",
           "APP_ENV": "development"}
    done = subprocess.run([sys.executable, "-m", "tests.logging_probe", database_url, redis_url], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "probe done" in done.stderr
    return done.stderr


@pytest.mark.postgresql_only
def test_token_secrets_and_phone_numbers_never_appear_in_request_and_webhook_logs(probe_logs):
    """Logged, but masked: requests, the unknown-number answer, the traceback."""
    for name, secret in SECRETS.items():
        assert secret not in probe_logs, f"{name} leaked into the logs"
    for number in (PHONE, PHONE.lstrip("+"), "16505550177", "4155550142"):
        assert number not in probe_logs, f"phone number {number} leaked into the logs"
    lines = [json.loads(line) for line in probe_logs.splitlines() if line.startswith("{")]
    assert any(line.get("path") == "/api/webhooks/whatsapp" for line in lines), "webhook requests were not logged"
    assert any(line.get("path") == "/api/contacts" for line in lines), "API requests were not logged"
    failure = next(line for line in lines if line["message"].startswith("send failed"))
    assert "+1415*****42" in failure["message"] and "Bearer ***" in failure["exc_info"]


def test_mask_keeps_enough_to_recognise():
    """Country prefix and last two digits stay; tokens and signatures become ***."""
    assert mask("to +14155550142 ok") == "to +1415*****42 ok"
    assert mask("Authorization: Bearer abc.def") == "Authorization: Bearer ***"
    assert mask("sha256=deadbeef, token=xyz&secret=s") == "sha256=***, token=***&secret=***"


def test_gunicorn_access_log_leaves_out_query_strings():
    """Its lines bypass the masking filter: the format has the path (%(U)s) but no query (%(q)s, %(r)s)."""
    import runpy
    settings = runpy.run_path(os.path.join(ROOT, "gunicorn.conf.py"))
    assert "%(U)s" in settings["access_log_format"]
    assert "%(q)s" not in settings["access_log_format"] and "%(r)s" not in settings["access_log_format"]


@pytest.mark.parametrize("fields", [
    {"method": "GET", "path": "/api/messages/stats", "status": 200, "duration_ms": 0.52, "cache": "HIT"},
    {"method": "DELETE", "path": "/api/categories/7", "status": 404, "duration_ms": 12.0, "cache": None},
    {"method": "GET", "path": "/api/messages/é\u2028\"x\"", "status": 304, "duration_ms": 1e-05, "cache": "MISS"},
])
def test_the_access_lines_direct_path_writes_what_python_json_logger_writes(fields):
    """JsonLines' direct path (chatbot/timing.py's access line) against the generic path of the same formatter."""
    from chatbot.logging import ACCESS_FIELDS, JsonLines, json_lines
    from chatbot.timing import ACCESS_LINE
    formatter = json_lines()
    record = logging.getLogger("chatbot.requests").makeRecord(
        "chatbot.requests", logging.INFO, "(unknown file)", 0, "request", None, None,
        extra={**fields, ACCESS_FIELDS: ACCESS_LINE})
    direct = formatter.format(record)
    generic = super(JsonLines, formatter).format(record)
    assert direct == generic
    assert json.loads(direct) == {"asctime": record.asctime, "level": "INFO", "logger": "chatbot.requests",
                                  "message": "request", **fields}
