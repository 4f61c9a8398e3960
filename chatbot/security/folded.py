"""The bearer token's failure limit checked inside the cache's read: one Redis round trip per cached hit, not two.

A bearer request is checked against its address's failure limit before its token is compared (a limited client
must not learn which guess is right): on its own that is a GET before the cache's MGET on every authenticated
read. For a GET of a view marked `@limit_in_cache_read` (the cached views) auth compares the token first and,
when it is right, leaves the check pending here; the cache then reads the limit's counter in the same MGET as the
value and its generation (`counter_key`) and settles the check with it (`settle`) before it returns anything. A
wrong token settles the check at once, before its 401, so a limited address gets 429 whatever it sends, as before.
The same Redis key as `limits` reads (its own functions name it), the same threshold as its FixedWindow `test`.
Redis away: the cache bypasses it and `settle_apart` runs the ordinary check, on this process's memory.
Whatever the view did, an after-request hook settles a check still pending before the response leaves.
"""
from flask import current_app, has_request_context, request

from chatbot.security.ratelimit import RateLimited

# Kept in the request's environ, not on `g`: the app context (and its g) may outlive one request (tests nest them).
_PENDING = "chatbot.folded_limit_check"  # (FailureLimit, address) until settled


def _pending():
    """The pending (limit, address) of this request, or None (none left, or no request: the CLI)."""
    return request.environ.get(_PENDING) if has_request_context() else None


def _take():
    """The pending check, no longer pending."""
    return request.environ.pop(_PENDING, None) if has_request_context() else None


def limit_in_cache_read(view):
    """Mark a GET view whose cache read may carry the bearer's failure-limit check."""
    view.limit_in_cache_read = True
    return view


def may_fold():
    """Can this request's limit check wait for the cache's read? (a GET of a marked view)"""
    return request.method == "GET" and getattr(current_app.view_functions.get(request.endpoint),
                                               "limit_in_cache_read", False)


def defer(limit, address):
    """Leave `limit`'s check of `address` to the cache's read (or to the after-request hook)."""
    request.environ[_PENDING] = (limit, address)


def counter_key():
    """The Redis key of the pending check's failure counter, for the cache's MGET; None when nothing is pending."""
    pending = _pending()
    if pending is None:
        return None
    return counter_key_of(*pending)


def counter_key_of(limit, address):
    """The Redis key of `limit`'s failure counter for `address` (the one `limits` reads and increments)."""
    return limit.limiters.shared.storage.prefixed_key(limit.item.key_for(limit.name, address))


def exhausted(limit, raw):
    """Has a counter read as `raw` used up `limit`'s failures? (FixedWindowRateLimiter.test: allowed while
    count < amount)"""
    return int(raw or 0) >= limit.item.amount


def settle(raw):
    """Settle the pending check with the counter the MGET read: RateLimited if its failures are used up."""
    limit, address = _take()
    if exhausted(limit, raw):
        limit.check(address)  # the full check, for its Retry-After (and in case the window ended meanwhile)


def settle_locally():
    """The pending check passed by the local copy's rule (chatbot/cache/local.py: a used-up address is announced to
    every process, whose reads then take the Redis path)."""
    _take()


def failed(limit, address):
    """After a counted failure: with local copies on, announce an address whose failures are now used up."""
    local = current_app.extensions["cache_aside"].local
    until = limit.exhausted_until(address) if local is not None else None
    if until is not None:
        local.announce_limited(counter_key_of(limit, address), until + limit.item.get_expiry())


def settle_apart():
    """Settle the pending check on its own (Redis away: the limit's in-memory fallback; or no cache read)."""
    pending = _take()
    if pending is not None:
        limit, address = pending
        limit.check(address)


def _settle_before_response(response):
    """A check still pending (the view never read the cache) is settled before anything leaves: 429 if over."""
    if _pending() is None:
        return response
    try:
        settle_apart()
    except RateLimited as exc:
        return current_app.handle_user_exception(exc)
    return response


def init_app(app):
    """The after-request safety net."""
    app.after_request(_settle_before_response)
