"""Security headers on every response (Flask-Talisman): CSP, frame, sniffing, referrer, HSTS in production."""
from chatbot.extensions import talisman

# What the built dashboard and Swagger UI need, checked in Chromium (frontend/e2e/csp.e2e.mjs):
# scripts and styles are our own files; the docs page's one inline start-up script carries the
# per-request nonce; Swagger UI's icons are data: SVGs in its CSS; the API and the event stream are same-origin.
CSP = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": ["'self'", "data:"],
    "font-src": "'self'",
    "connect-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}


def init_app(app):
    """Talisman with our policy; HSTS and secure cookies only in production (behind Heroku's TLS)."""
    production = app.config["APP_ENV"] == "production"
    talisman.init_app(
        app,
        # The router terminates TLS and always forwards https to us; HSTS keeps browsers on https.
        force_https=False,
        strict_transport_security=production,
        session_cookie_secure=production,
        content_security_policy=CSP,
        content_security_policy_nonce_in=["script-src"],
        frame_options="DENY",
        referrer_policy="strict-origin-when-cross-origin",
    )
