"""Security headers on every response (Flask-Talisman): CSP, frame, sniffing, referrer, HSTS in production."""
import flask
from flask_talisman import Talisman
from flask_talisman.talisman import NONCE_LENGTH, get_random_string

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
_NONCE = "\x00nonce\x00"  # where the request's nonce goes in the precomputed headers


class PrecomputedTalisman(Talisman):
    """Talisman whose headers are worked out once, by Talisman itself, then copied onto each response with only
    the nonce new: the same values, without re-reading the options and re-joining the policy on every request
    (a few per cent of a cached read). A view with its own `@talisman(...)` options gets Talisman's own path."""

    def init_app(self, app, **kwargs):
        """Talisman's init; without force_https its redirect hook has nothing to do per request: dropped, its one
        effect (SESSION_COOKIE_SECURE in production) applied here once."""
        super().init_app(app, **kwargs)
        self._headers = None
        if not self.force_https:
            if self.session_cookie_secure and not app.debug:
                app.config["SESSION_COOKIE_SECURE"] = True
            app.before_request_funcs[None].remove(self._force_https)

    def _own_options(self):
        """Has the request's view its own Talisman options?"""
        view = flask.current_app.view_functions.get(flask.request.endpoint)
        return hasattr(view, "talisman_view_options")

    def _make_nonce(self):
        """A fresh nonce per request (Talisman's generator), read by the docs page's template and the CSP."""
        if self._own_options():
            return super()._make_nonce()
        if not getattr(flask.request, "csp_nonce", None):
            flask.request.csp_nonce = get_random_string(NONCE_LENGTH)  # Talisman's own generator and length

    def _set_response_headers(self, response):
        """The precomputed headers, the nonce filled in; HSTS decided per request (https only)."""
        if self._own_options():
            return super()._set_response_headers(response)
        if self._headers is None:
            self._headers = self._precompute()
        nonce = getattr(flask.request, "csp_nonce", None)
        headers = response.headers
        for name, value, has_nonce in self._headers:
            if has_nonce:  # Talisman leaves the nonce out when a request has none (its hook did not run)
                value = value.replace(_NONCE, nonce) if nonce else value.replace(f" 'nonce-{_NONCE}'", "")
            headers[name] = value
        if self.strict_transport_security:
            self._set_hsts_headers(headers)
        return response

    def for_json(self, app, path):
        """[(name, value)] of these headers on a JSON answer to a POST of `path`, worked out once: no nonce (a
        JSON answer runs no script) and no HSTS (added per request where `is_secure`). For the webhook's fast
        path (chatbot/blueprints/webhook_fast.py)."""
        with app.test_request_context(path, method="POST"):
            computed = self._precompute()
        return [(name, value.replace(f" 'nonce-{_NONCE}'", "")) for name, value, _ in computed]

    def listed(self, secure):
        """[(name, value)] of these headers with a fresh nonce, HSTS if `secure` (Talisman's rule: https, or
        X-Forwarded-Proto: https): for the cached reads' fast path (chatbot/blueprints/fast.py), which has no
        request object. None until a request through Flask has worked them out."""
        if self._headers is None:
            return None
        nonce = get_random_string(NONCE_LENGTH)
        listed = [(name, value.replace(_NONCE, nonce) if has_nonce else value)
                  for name, value, has_nonce in self._headers]
        if self.strict_transport_security and secure:
            listed.append(("Strict-Transport-Security", self.hsts_value()))
        return listed

    def hsts_value(self):
        """Talisman's Strict-Transport-Security value (its _set_hsts_headers, without the request test)."""
        value = f"max-age={self.strict_transport_security_max_age}"
        if self.strict_transport_security_include_subdomains:
            value += "; includeSubDomains"
        if self.strict_transport_security_preload:
            value += "; preload"
        return value

    def _precompute(self):
        """[(name, value, has the nonce)] as Talisman sets them, HSTS aside, on a scratch response."""
        request, saved = flask.request, getattr(flask.request, "csp_nonce", None)
        request.csp_nonce = _NONCE
        try:
            scratch = flask.current_app.response_class()
            hsts, self.strict_transport_security = self.strict_transport_security, False
            try:
                super()._set_response_headers(scratch)
            finally:
                self.strict_transport_security = hsts
        finally:
            request.csp_nonce = saved
        return [(name, value, _NONCE in value) for name, value in scratch.headers.items()
                if name not in ("Content-Type", "Content-Length")]


# Security headers (CSP with a per-request nonce, frame, sniffing, referrer, HSTS): attached by `init_app`.
talisman = PrecomputedTalisman()


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


def is_secure(environ):
    """Talisman's test for HSTS on a WSGI environ: https (as ProxyFix set it), or X-Forwarded-Proto: https as sent."""
    return environ.get("wsgi.url_scheme") == "https" or environ.get("HTTP_X_FORWARDED_PROTO", "http") == "https"
