"""Small helpers for thin views: read JSON, read the query string, answer with a cache status."""
import gzip
import hashlib
import tempfile

from flask import after_this_request, current_app, request
from werkzeug.exceptions import NotFound, RequestEntityTooLarge
from werkzeug.http import parse_accept_header
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


def large_body(setting):
    """Let this view take bodies up to app.config[setting] instead of MAX_CONTENT_LENGTH (the import's CSV)."""
    def mark(view):
        view.body_limit_setting = setting
        return view
    return mark


def reject_large_body():
    """413 for any body over the limit (MAX_CONTENT_LENGTH), even one the view never reads, on every route.

    A view marked `large_body(setting)` has that limit instead, set on its request before the check.
    With a Content-Length the header decides. A chunked body has none: it is read here, at most one byte past
    the limit, and kept for the view (`request.get_data()` and `get_json()` answer from it); Werkzeug alone
    would stop reading at the limit and hand the view a cut body that may still parse. A large one is kept in a
    temporary file (memory holds 1 MiB of it at most) that becomes the request's body, with its length.
    """
    setting = getattr(current_app.view_functions.get(request.endpoint), "body_limit_setting", None)
    if setting is not None:
        request.max_content_length = current_app.config[setting]
    limit = request.max_content_length  # MAX_CONTENT_LENGTH unless a view raised it for its request
    if limit is None:
        return
    if request.content_length is not None:
        if request.content_length > limit:
            raise RequestEntityTooLarge()
        return
    if "chunked" not in request.headers.get("Transfer-Encoding", "").lower():
        return
    if setting is not None:
        return _spool_chunked(limit)
    body = read_at_most(request.environ["wsgi.input"], limit + 1)
    if len(body) > limit:
        raise RequestEntityTooLarge()
    request._cached_data = body  # where Werkzeug keeps a body it has read (get_data(cache=True))


def _spool_chunked(limit):
    """Copy a chunked body (at most limit + 1 bytes) to a temporary file that becomes the request's body, as if
    it had come with a Content-Length; 413 past the limit."""
    spool = tempfile.SpooledTemporaryFile(max_size=current_app.config["MAX_CONTENT_LENGTH"] or 1024 * 1024)
    source = request.environ["wsgi.input"]
    left = limit + 1
    while left > 0 and (part := source.read(min(64 * 1024, left))):
        spool.write(part)
        left -= len(part)
    if left == 0:
        spool.close()
        raise RequestEntityTooLarge()
    size = spool.tell()
    spool.seek(0)
    request.environ.update({"wsgi.input": spool, "CONTENT_LENGTH": str(size)})
    request.environ.pop("HTTP_TRANSFER_ENCODING", None)
    request.__dict__.pop("content_length", None)  # Werkzeug's cached_property: read again from the new headers
    after_this_request(_closing(spool))


def _closing(resource):
    """An after-request hook that closes `resource`."""
    def close(response):
        resource.close()
        return response
    return close


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


def uploaded_file(field="file"):
    """The binary stream of an upload: the multipart field `field`, else the raw body (e.g. text/csv).

    Neither is read here: Werkzeug spools a multipart file part over 500 KB to a temporary file, and the raw
    body is the request's stream, both within the request's limit.
    """
    if request.mimetype == "multipart/form-data":
        upload = request.files.get(field)
        if upload is None:
            raise BadRequest(f"the multipart body has no file field {field!r}")
        return upload.stream
    return request.stream


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


def cached(body_and_status):
    """The cache's JSON bytes as they are, with X-Cache (HIT, MISS or BYPASS) and a strong ETag (a hash of the bytes
    served); 304 with no body when If-None-Match names it. `Cache-Control: no-cache` makes browsers ask every time
    (fetch() sends If-None-Match by itself), so a refetch of an unchanged view costs headers, never a stale value.
    A client that accepts gzip gets the gzip copy of these bytes, made once per process; Flask-Compress's hook is
    skipped (its only effect here would be the Vary header, set here), so nothing is compressed per request.
    The fast path (chatbot/blueprints/fast.py) answers a hit the same way, through `representation`."""
    body, cache_status = body_and_status
    tag, served, encoding = representation(body, request.headers.get("Accept-Encoding", ""), current_app.config)
    if request.if_none_match.contains_weak(tag):
        response = current_app.response_class(status=304)
    else:
        response = current_app.response_class(served, mimetype="application/json")
        if encoding:
            response.headers["Content-Encoding"] = encoding
    response.headers["X-Cache"] = cache_status
    response.headers["Cache-Control"] = "no-cache"
    response.headers["Vary"] = "Accept-Encoding"
    response.set_etag(tag)
    response.encoding_settled = True  # Flask-Compress has nothing left to do (chatbot/extensions.py)
    return response


def representation(body, accept_encoding, config):
    """(ETag, bytes to serve, Content-Encoding or None) of stored JSON `body` for a client's Accept-Encoding."""
    tag = hashlib.blake2b(body, digest_size=16).hexdigest()
    if len(body) < config["COMPRESS_MIN_SIZE"] or not _accepts_gzip(accept_encoding):
        return tag, body, None
    tag += ":gzip"  # another representation, another tag (Flask-Compress's own suffix)
    return tag, _gzip_copy(tag, body, config["COMPRESS_LEVEL"]), "gzip"


def _accepts_gzip(accept_encoding):
    """Does this Accept-Encoding take gzip (q > 0)?"""
    return "gzip" in accept_encoding and parse_accept_header(accept_encoding)["gzip"] > 0


_GZIP_COPIES = {}     # ETag -> gzip bytes: the few bodies being served, each compressed once per process
_GZIP_COPIES_MAX = 16  # bodies change on every write: forget them all past this many (a refill costs one gzip each)


def _gzip_copy(tag, body, level):
    """The gzip bytes of `body`, compressed on its first request only (mtime 0: the same bytes every time)."""
    copy = _GZIP_COPIES.get(tag)
    if copy is None:
        if len(_GZIP_COPIES) >= _GZIP_COPIES_MAX:
            _GZIP_COPIES.clear()
        copy = _GZIP_COPIES[tag] = gzip.compress(body, level, mtime=0)
    return copy
