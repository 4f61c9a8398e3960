"""The error envelope every error answer carries."""
from marshmallow import Schema, fields


class ErrorBody(Schema):
    """The inside of every error answer."""

    code = fields.String(required=True, metadata={"example": "validation_error"})
    message = fields.String(required=True)
    details = fields.Dict(keys=fields.String(), required=True,
                          metadata={"description": "For 422: each field name mapped to its messages "
                                                   "(at most 20 per level, then a count of the rest)."})


class ErrorEnvelope(Schema):
    """{"error": {"code", "message", "details"}}."""

    error = fields.Nested(ErrorBody, required=True)


error_out = ErrorEnvelope()
