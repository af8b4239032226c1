"""Request-wide behaviour: language, transport rule, security headers, error pages."""
from __future__ import annotations

import ipaddress
import logging
from typing import Any

from flask import Flask, Response, current_app, jsonify, render_template, request
from flask.json.provider import DefaultJSONProvider
from flask.sessions import SecureCookieSessionInterface
from flask_babel import Babel, get_locale, gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from .config import LANGUAGES
from .errors import ApiError

log = logging.getLogger(__name__)

#: Headers on every answer: no framing (clickjacking of the login page), no referrer
#: leaking the authorization request, no scripts at all (the seed forbids pop-ups/alerts).
SECURITY_HEADERS = {
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'self'; img-src 'self'; "
        "frame-ancestors 'none'; base-uri 'none'"
    ),
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
}

#: RFC 6797 HSTS on answers served over https: one year, subdomains included.
HSTS = "max-age=31536000; includeSubDomains"

#: Paths answered in JSON (machines), the rest in HTML (people).
JSON_PREFIXES = ("/api/", "/oauth/token", "/oauth/revoke", "/.well-known/")


class StrictJSONProvider(DefaultJSONProvider):
    """JSON bodies that cannot be used are a ValueError, so every `get_json` answers 400.

    Python's parser raises RecursionError (not ValueError) on deep nesting, which
    `get_json(silent=True)` lets through as a 500; and it accepts lone surrogate escapes
    (`"\\ud800"`) that no UTF-8 encoder, database or hash can take later.
    """

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        try:
            value = super().loads(s, **kwargs)
        except RecursionError:
            raise ValueError("JSON nested too deeply") from None
        _refuse_lone_surrogates(value)
        return value


def _refuse_lone_surrogates(value: Any) -> None:
    """Raise ValueError when any key or string in a parsed JSON value is not valid Unicode."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            try:
                item.encode("utf-8")
            except UnicodeEncodeError:
                raise ValueError("JSON string with a lone surrogate") from None
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)


def is_loopback_host(host: str) -> bool:
    """True for localhost, 127.0.0.0/8 and ::1 (with or without a port)."""
    name = host.strip().lower()
    if name.startswith("["):
        name = name[1 : name.find("]")] if "]" in name else name
    elif name.count(":") == 1:
        name = name.split(":", 1)[0]
    if name == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def wants_json() -> bool:
    """True when the current path is part of the machine-facing API."""
    return request.path.startswith(JSON_PREFIXES)


def public_url(path: str) -> str:
    """Absolute URL of a path: under RIDE_HAILER_ISSUER, else (debug/testing) the request root."""
    base = current_app.config["ISSUER"] or request.url_root.rstrip("/")
    return base + path


def json_error(status: int, error: str, description: str, headers: dict[str, str] | None = None) -> Response:
    """A JSON error answer as ARCHITECTURE.md specifies."""
    response = jsonify({"error": error, "error_description": description})
    response.status_code = status
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def html_error(status: int, message: str) -> tuple[str, int]:
    """A plain error page that never redirects anywhere."""
    return render_template("error.html", message=message), status


def select_locale() -> str:
    """The Accept-Language choice among the catalogs, English otherwise."""
    return request.accept_languages.best_match(LANGUAGES) or "en"


class TransportAwareSessionInterface(SecureCookieSessionInterface):
    """Session cookie marked Secure whenever the request came over HTTPS."""

    def get_cookie_secure(self, app: Flask) -> bool:
        configured = app.config["SESSION_COOKIE_SECURE"]
        if configured is None:
            return bool(request.is_secure)
        return bool(configured)


def init_app(app: Flask) -> None:
    """Wire Babel, the transport rule, headers and error handlers into the app."""
    app.json = StrictJSONProvider(app)
    Babel(app, locale_selector=select_locale)
    app.jinja_env.globals["get_locale"] = get_locale
    app.session_interface = TransportAwareSessionInterface()

    @app.before_request
    def require_https_outside_loopback() -> Any:
        # Plain http only when both ends are this machine (tests, the demo).
        if request.is_secure or (
            is_loopback_host(request.host) and is_loopback_host(request.remote_addr or "")
        ):
            return None
        if wants_json():
            return json_error(400, "invalid_request", "HTTPS is required.")
        return html_error(400, _("This page is only available over HTTPS."))

    @app.before_request
    def refuse_nul_characters() -> Any:
        # No field of this service may hold NUL; PostgreSQL text cannot store it anyway.
        for values in (request.args, request.form):
            for key, value in values.items(multi=True):
                if "\x00" in key or "\x00" in value:
                    if wants_json():
                        return json_error(400, "invalid_request", "The request contains a NUL character.")
                    return html_error(400, _("This sign-in link is not valid. Start linking again from the Alexa app."))
        return None

    @app.after_request
    def add_security_headers(response: Response) -> Response:
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        if request.path.startswith(("/oauth/", "/account/", "/api/")):
            response.headers["Cache-Control"] = "no-store"
        if request.is_secure:  # over https (behind the TLS proxy: via ProxyFix), RFC 6797
            response.headers.setdefault("Strict-Transport-Security", HSTS)
        return response

    @app.errorhandler(ApiError)
    def api_error(error: ApiError) -> Response:
        return json_error(error.status_code, error.error, error.description, error.headers)

    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError) -> Any:
        return html_error(400, _("This form has expired. Go back, reload the page and try again."))

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> Any:
        status = error.code or 500
        if wants_json():
            name = (error.name or "error").lower().replace(" ", "_")
            return json_error(status, name, error.description or "")
        return html_error(status, error.name or _("Something went wrong."))

    @app.errorhandler(Exception)
    def unexpected_error(error: Exception) -> Any:
        log.error("unexpected error on %s %s", request.method, request.path, exc_info=True)
        if wants_json():
            return json_error(500, "server_error", "The server could not answer this request.")
        return html_error(500, _("Something went wrong. Please try again."))
