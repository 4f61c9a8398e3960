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


# The attributes every LogRecord has; anything else on a record came from `extra=`.
RECORD_FIELDS = frozenset(vars(logging.makeLogRecord({}))) | {"message", "asctime"}
_TRACEBACKS = logging.Formatter()


class MaskingFilter(logging.Filter):
    """Applies `mask` to every record's final message, extras and traceback, whoever logged it."""

    def filter(self, record):
        """Rewrite the record in place; never drops one."""
        if isinstance(record.msg, str):
            record.msg = mask(record.getMessage())
            record.args = None
        if record.exc_info:
            # A traceback quotes exception messages, which may hold a number or a token: format it here, masked.
            record.exc_text = mask(_TRACEBACKS.formatException(record.exc_info))
            record.exc_info = None
        if record.stack_info:
            record.stack_info = mask(record.stack_info)
        for name, value in list(vars(record).items()):
            if name not in RECORD_FIELDS and isinstance(value, str):
                setattr(record, name, mask(value))
        return True


# On the access line's record (chatbot/timing.py): the names of its fields, formatted by JsonLines' direct path.
ACCESS_FIELDS = "_access_fields"  # a leading underscore: never itself a field of the output


class JsonLines(JsonFormatter):
    """python-json-logger's formatter, with a direct path for the access line of every polled request: the same JSON
    (its required fields, renamed, then the line's own fields, serialised by its own method), without its generic
    walk over defaults, static fields and every attribute of the record."""

    def format(self, record):
        """The JSON line of `record`."""
        fields = record.__dict__.get(ACCESS_FIELDS)
        if fields is None or record.exc_info or record.exc_text or record.stack_info or not isinstance(record.msg, str):
            return super().format(record)
        record.message = record.getMessage()
        record.asctime = self.formatTime(record, self.datefmt)
        data = {self._get_rename(name): record.__dict__.get(name) for name in self._required_fields}
        for name in fields:
            data[name] = record.__dict__[name]
        return self.serialize_log_record(data)


def json_lines():
    """The JSON formatter of our logs: asctime, level, logger, message, then the record's extras."""
    return JsonLines("%(asctime)s %(levelname)s %(name)s %(message)s",
                     rename_fields={"levelname": "level", "name": "logger"})


def init_app(app):
    """Configure the root logger once per process (JSON unless LOG_FORMAT=text)."""
    root = logging.getLogger()
    if getattr(root, "_chatbot_configured", False):
        root.setLevel(app.config["LOG_LEVEL"])
        return
    handler = logging.StreamHandler(sys.stderr)
    if app.config["LOG_FORMAT"] == "json":
        handler.setFormatter(json_lines())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    handler.addFilter(MaskingFilter())
    root.addHandler(handler)
    root.setLevel(app.config["LOG_LEVEL"])
    root._chatbot_configured = True
    # APScheduler logs every run at INFO: too chatty for a job every few seconds.
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
