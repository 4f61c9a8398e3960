"""Security steps of the app: the client address behind proxies, security headers, failure limits."""
from werkzeug.middleware.proxy_fix import ProxyFix

from chatbot.security import headers, ratelimit
from chatbot.security.ratelimit import RateLimited


def handle_rate_limited(exc):
    """429 in the contract's envelope, with Retry-After."""
    # Here, not at the top: the cache imports chatbot.security (folded.py), and the blueprints import the cache.
    from chatbot.blueprints.errors import envelope
    response = envelope(exc.status, exc.code, exc.message, exc.details)
    response.headers["Retry-After"] = str(exc.retry_after)
    return response


def init_app(app):
    """Trust TRUSTED_PROXIES hops of X-Forwarded-For/-Proto, then headers and limits (before auth runs)."""
    proxies = app.config["TRUSTED_PROXIES"]
    if proxies:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)
    headers.init_app(app)
    ratelimit.init_app(app)
    app.register_error_handler(RateLimited, handle_rate_limited)
