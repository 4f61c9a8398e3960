"""Domain errors: services raise them, the error blueprint turns them into the JSON envelope."""


class ApiError(Exception):
    """Base: an HTTP status, a stable code, a message and optional details."""

    status = 400
    code = "bad_request"

    def __init__(self, message=None, details=None):
        super().__init__(message or self.code)
        self.message = message or self.code.replace("_", " ")
        self.details = details or {}


class BadRequest(ApiError):
    """The body is not JSON, or the request cannot be read."""

    status, code = 400, "bad_request"


class Unauthorized(ApiError):
    """Missing or wrong credentials."""

    status, code = 401, "unauthorized"


class Forbidden(ApiError):
    """Authenticated, or signed, but not allowed."""

    status, code = 403, "forbidden"


class NotFound(ApiError):
    """No such resource."""

    status, code = 404, "not_found"


class Conflict(ApiError):
    """The write would break a uniqueness or state rule."""

    status, code = 409, "conflict"


class ValidationFailed(ApiError):
    """Input failed validation; details map each field to its messages."""

    status, code = 422, "validation_error"
