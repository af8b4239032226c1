"""Ride Hailer service: the OAuth 2.0 authorization server and resource server Alexa links to.

`create_app` layers settings: defaults, then `RIDE_HAILER_*` environment variables, then
the `test_config` argument.
"""
from __future__ import annotations

import logging
import os
from typing import Any

from flask import Flask
from flask_migrate import Migrate
from flask_wtf.csrf import CSRFProtect
from werkzeug.middleware.proxy_fix import ProxyFix

from .config import DEFAULTS, check_issuer, check_lifetimes, default_database_url, sqlalchemy_url
from .db import configure_engine, engine_options
from .errors import ConfigurationError
from .models import db

__all__ = ["create_app"]

#: Alembic scripts shipped inside the package.
MIGRATIONS_DIRECTORY = os.path.join(os.path.dirname(__file__), "migrations")


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Build the service: settings, database, Babel, CSRF, OAuth server, blueprints, CLI."""
    app = Flask(__name__, instance_relative_config=True)
    app.config.from_mapping(DEFAULTS)
    app.config.from_prefixed_env("RIDE_HAILER")
    if test_config:
        app.config.from_mapping(test_config)
    _check_settings(app)
    _keep_secrets_out_of_debug_logs()

    url = app.config["DATABASE_URL"] or default_database_url(app.instance_path)
    if url.startswith("sqlite") and not app.config["DATABASE_URL"]:
        os.makedirs(app.instance_path, exist_ok=True)
    app.config["SQLALCHEMY_DATABASE_URI"] = sqlalchemy_url(url)
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = engine_options(
        app.config["SQLALCHEMY_DATABASE_URI"], app.config["DATABASE_SCHEMA"]
    )
    db.init_app(app)
    with app.app_context():
        configure_engine(app, db.engine)
    Migrate(app, db, directory=MIGRATIONS_DIRECTORY)

    if app.config["TRUSTED_PROXIES"]:
        hops = int(app.config["TRUSTED_PROXIES"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_port=hops)  # type: ignore[method-assign]

    from . import cli, mail, web
    from .views import account, api, apps, oauth

    csrf = CSRFProtect(app)
    web.init_app(app)
    oauth.init_app(app, csrf)
    from . import oidc  # OpenID Connect discovery, userinfo and the JWKS

    oidc.init_app(app, csrf)
    api.init_app(app, csrf)
    account.init_app(app)
    apps.init_app(app)
    cli.init_app(app)
    mail.init_app(app)
    _install_extensions(app, csrf)
    return app


def _install_extensions(app: Flask, csrf: CSRFProtect) -> None:
    """Template overrides, EXTRA_SCOPES and EXTENSIONS: another company's API on this server."""
    overrides = app.config["TEMPLATE_OVERRIDES"]
    if overrides:
        from jinja2 import ChoiceLoader, FileSystemLoader, PrefixLoader

        own = app.jinja_loader
        assert own is not None
        app.jinja_loader = ChoiceLoader(
            [FileSystemLoader(os.fspath(overrides)), PrefixLoader({"service": own}), own]
        )
    if app.config["EXTRA_SCOPES"]:
        from .views.oauth import SERVER_EXTENSION

        server = app.extensions[SERVER_EXTENSION]
        server.scopes_supported = [*(server.scopes_supported or ()), *app.config["EXTRA_SCOPES"]]
        app.config["OAUTH2_SCOPES_SUPPORTED"] = server.scopes_supported
    for extension in app.config["EXTENSIONS"]:
        if isinstance(extension, str):
            import importlib

            module, _, name = extension.partition(":")
            extension = getattr(importlib.import_module(module), name or "init_app")
        extension(app, csrf)


def _keep_secrets_out_of_debug_logs() -> None:
    """Authlib logs issued tokens at DEBUG level; never let those records through."""
    authlib_logger = logging.getLogger("authlib")
    if authlib_logger.level < logging.INFO:  # NOTSET would inherit a DEBUG root
        authlib_logger.setLevel(logging.INFO)


def _check_settings(app: Flask) -> None:
    """Refuse settings that cannot work."""
    if not app.config["SECRET_KEY"]:
        if not (app.debug or app.testing):
            raise ConfigurationError(
                "RIDE_HAILER_SECRET_KEY is not set: set it to a long random value"
            )
        app.config["SECRET_KEY"] = os.urandom(32).hex()
    if app.config["ISSUER"]:
        app.config["ISSUER"] = check_issuer(app.config["ISSUER"])
    elif not (app.debug or app.testing):
        raise ConfigurationError(
            "RIDE_HAILER_ISSUER is not set: set it to the service's public https URL"
        )
    check_lifetimes(app.config)
