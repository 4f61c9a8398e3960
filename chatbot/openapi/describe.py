"""The pieces every operation of `paths.py` is described with."""
from chatbot.schemas.fields import MAX_ID  # the router answers 404 above it


def path_id(name, what):
    """An integer id in the path."""
    return {"in": "path", "name": name, "required": True, "description": f"The {what}'s id.",
            "schema": {"type": "integer", "minimum": 1, "maximum": MAX_ID}}


def ok(schema, description, status="200", cached=False):
    """A JSON success answer; `cached` adds the X-Cache and ETag headers and the 304 of a revalidation."""
    response = {"description": description, "content": {"application/json": {"schema": schema}}}
    if not cached:
        return {status: response}
    headers = {"X-Cache": {"$ref": "#/components/headers/XCache"}, "ETag": {"$ref": "#/components/headers/ETag"}}
    response["headers"] = headers
    return {status: response, "304": {"description": "Not modified: If-None-Match named the current ETag; no body.",
                                      "headers": headers}}


def errors(*statuses):
    """References to the shared error answers (see ERROR_RESPONSES in spec.py)."""
    return {str(status): str(status) for status in statuses}


def body(schema, example):
    """A required JSON request body."""
    return {"required": True, "content": {"application/json": {"schema": schema, "example": example}}}


NO_CONTENT = {"204": {"description": "Deleted; no body."}}
# Every operation behind a credential may answer 401, and 429 after too many wrong tokens from the address;
# writes may answer 400 (not JSON), 403 (the role may not write, or a session without X-CSRF-Token) and 413 (over
# 1 MiB).
READ = (401, 429)
WRITE = (400, 401, 403, 413, 422, 429)
