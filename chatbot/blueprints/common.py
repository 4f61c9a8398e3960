"""Small helpers for thin views: read JSON, read the query string, answer with a cache status."""
from flask import jsonify, request
from werkzeug.exceptions import NotFound, RequestEntityTooLarge
from werkzeug.routing import IntegerConverter, ValidationError

from chatbot.errors import BadRequest
from chatbot.schemas.fields import MAX_ID


class IdConverter(IntegerConverter):
    """`<int:id>` bounded to what the databases store: a larger id is a 404, not a driver overflow."""

    # ASCII digits only: Werkzeug's \d+ also matches '１' (full width) and other scripts' digits, which int() reads.
    regex = "[0-9]+"

    def __init__(self, map, fixed_digits=0, min=None, max=MAX_ID, signed=False):
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)

    def to_python(self, value):
        """The id, or 404 for every method (Werkzeug turns a ValidationError into a 405 for PATCH and DELETE)."""
        try:
            return super().to_python(value)
        except ValidationError:
            raise NotFound() from None


def reject_large_body():
    """413 for any body over the limit (MAX_CONTENT_LENGTH), even one the view never reads, on every route.

    With a Content-Length the header decides. A chunked body has none: it is read here, at most one byte past
    the limit, and kept for the view (`request.get_data()` and `get_json()` answer from it); Werkzeug alone
    would stop reading at the limit and hand the view a cut body that may still parse.
    """
    limit = request.max_content_length  # MAX_CONTENT_LENGTH unless a view raised it for its request
    if limit is None:
        return
    if request.content_length is not None:
        if request.content_length > limit:
            raise RequestEntityTooLarge()
        return
    if "chunked" in request.headers.get("Transfer-Encoding", "").lower():
        body = read_at_most(request.environ["wsgi.input"], limit + 1)
        if len(body) > limit:
            raise RequestEntityTooLarge()
        request._cached_data = body  # where Werkzeug keeps a body it has read (get_data(cache=True))


def read_at_most(stream, size, chunk=64 * 1024):
    """Up to `size` bytes of `stream` (fewer if it ends first)."""
    parts, left = [], size
    while left > 0:
        part = stream.read(min(chunk, left))
        if not part:
            break
        parts.append(part)
        left -= len(part)
    return b"".join(parts)


def json_body(schema):
    """Load the JSON body with `schema` (400 if it is not JSON, 422 if it is not valid)."""
    try:
        data = request.get_json(silent=True)
    except RecursionError:  # JSON nested thousands deep: not a body we accept, and never a 500
        data = None
    if data is None:
        raise BadRequest("the request body must be JSON (Content-Type: application/json)")
    return schema.load(data)


def query_args(schema):
    """Load the query string with `schema` (422 if not valid)."""
    return schema.load(request.args.to_dict())


def cached(value_and_status, status_code=200):
    """JSON response carrying X-Cache: HIT, MISS or BYPASS."""
    value, cache_status = value_and_status
    response = jsonify(value)
    response.status_code = status_code
    response.headers["X-Cache"] = cache_status
    return response
