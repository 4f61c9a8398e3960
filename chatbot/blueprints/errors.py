"""One error handler: every error leaves as {"error": {"code", "message", "details"}}."""
import logging

from flask import jsonify
from marshmallow import ValidationError
from werkzeug.exceptions import HTTPException

from chatbot.errors import ApiError
from chatbot.schemas.error import error_out

log = logging.getLogger(__name__)

# Error details are bounded whatever the request: at most this many fields, and messages per field, at each level
# (then a count of the rest), and field names cut to MAX_NAME characters. A body of unknown ids or fields once
# answered with a message for each, 1.96 MB for a 448 KB body.
MAX_MESSAGES = 20
MAX_NAME = 100
MORE = "_more"

HTTP_CODES = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
              405: "method_not_allowed", 409: "conflict", 413: "payload_too_large",
              415: "unsupported_media_type", 422: "validation_error", 429: "too_many_requests"}


def bounded(messages):
    """`messages` (a field's list, or {field: messages}) cut to MAX_MESSAGES entries per level, plus a count."""
    if isinstance(messages, dict):
        items = list(messages.items())
        kept = {str(name)[:MAX_NAME]: bounded(value) for name, value in items[:MAX_MESSAGES]}
        if len(items) > MAX_MESSAGES:
            kept[MORE] = [f"And {len(items) - MAX_MESSAGES} more."]
        return kept
    if isinstance(messages, list):
        kept = [bounded(value) for value in messages[:MAX_MESSAGES]]
        if len(messages) > MAX_MESSAGES:
            kept.append(f"And {len(messages) - MAX_MESSAGES} more.")
        return kept
    return messages


def envelope(status, code, message, details=None):
    """The contract's error body."""
    response = jsonify(error_out.dump({"error": {"code": code, "message": message,
                                                 "details": bounded(details or {})}}))
    response.status_code = status
    return response


def handle_api_error(exc):
    """Domain errors raised by services and views."""
    return envelope(exc.status, exc.code, exc.message, exc.details)


def handle_validation_error(exc):
    """Marshmallow errors: 422 with each field's messages."""
    details = exc.messages if isinstance(exc.messages, dict) else {"_schema": exc.messages}
    return envelope(422, "validation_error", "the request is not valid", details)


def handle_http_exception(exc):
    """Werkzeug's 404, 405, 413... as JSON, never HTML."""
    response = envelope(exc.code, HTTP_CODES.get(exc.code, "http_error"), exc.description)
    if exc.code == 405 and exc.valid_methods:
        response.headers["Allow"] = ", ".join(exc.valid_methods)
    return response


def handle_unexpected(exc):
    """A bug: log it with its traceback, answer 500 without leaking internals."""
    log.exception("unhandled error")
    return envelope(500, "internal_error", "internal server error")


def init_app(app):
    """Register the handlers app-wide."""
    app.register_error_handler(ApiError, handle_api_error)
    app.register_error_handler(ValidationError, handle_validation_error)
    app.register_error_handler(HTTPException, handle_http_exception)
    app.register_error_handler(Exception, handle_unexpected)
