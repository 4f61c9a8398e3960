"""Small helpers for thin views: read JSON, read the query string, answer with a cache status."""
from flask import jsonify, request

from chatbot.errors import BadRequest


def json_body(schema):
    """Load the JSON body with `schema` (400 if it is not JSON, 422 if it is not valid)."""
    data = request.get_json(silent=True)
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
