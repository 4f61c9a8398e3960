"""Logging: one JSON object per line (python-json-logger), phone numbers and tokens masked."""
import logging
import re
import sys

from pythonjsonlogger.json import JsonFormatter

# +14155550123 -> +1415*****23 ; bearer tokens and hub signatures -> ***
PHONE_RE = re.compile(r"\+\d{6,15}")
SECRET_RE = re.compile(r"(?i)(bearer\s+|token=|secret=|sha256=)[^\s\"',&]+")


def mask_phone(phone):
    """Keep the country prefix and the last two digits: enough to recognise, not to dial."""
    if not phone or len(phone) < 7:
        return "***"
    return phone[:5] + "*" * (len(phone) - 7) + phone[-2:]


def mask(text):
    """Mask secrets and phone numbers in a free-form string."""
    text = SECRET_RE.sub(lambda m: m.group(1) + "***", text)
    return PHONE_RE.sub(lambda m: mask_phone(m.group(0)), text)


class MaskingFilter(logging.Filter):
    """Applies `mask` to every record's final message, whoever logged it."""

    def filter(self, record):
        """Rewrite the message in place; never drops a record."""
        if isinstance(record.msg, str):
            record.msg = mask(record.getMessage())
            record.args = None
        return True


def init_app(app):
    """Configure the root logger once per process (JSON unless LOG_FORMAT=text)."""
    root = logging.getLogger()
    if getattr(root, "_chatbot_configured", False):
        root.setLevel(app.config["LOG_LEVEL"])
        return
    handler = logging.StreamHandler(sys.stderr)
    if app.config["LOG_FORMAT"] == "json":
        handler.setFormatter(JsonFormatter("%(asctime)s %(levelname)s %(name)s %(message)s",
                                           rename_fields={"levelname": "level", "name": "logger"}))
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    handler.addFilter(MaskingFilter())
    root.addHandler(handler)
    root.setLevel(app.config["LOG_LEVEL"])
    root._chatbot_configured = True
    # APScheduler logs every run at INFO: too chatty for a job every few seconds.
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
