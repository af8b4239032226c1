"""The service's reuse-by-configuration hooks: EXTENSIONS, EXTRA_SCOPES, TEMPLATE_OVERRIDES."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Blueprint, Flask

from ride_hailer_service import create_app

CALLED: list[str] = []


def register_hello(app: Flask, csrf: Any) -> None:
    """An extension given as "module:function" in the settings."""
    bp = Blueprint("hello", __name__)
    bp.add_url_rule("/api/hello/v1/ping", "ping", lambda: {"pong": True})
    app.register_blueprint(bp)
    CALLED.append(app.name)


def test_extension_named_by_a_string_registers_its_blueprint(tmp_path: Path) -> None:
    app = create_app({"TESTING": True, "SECRET_KEY": "x", "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite'}",
                      "EXTENSIONS": [f"{__name__}:register_hello"]})
    assert app.test_client().get("/api/hello/v1/ping").get_json() == {"pong": True}
    assert CALLED


def test_extra_scopes_are_accepted_by_the_authorization_server(tmp_path: Path) -> None:
    app = create_app({"TESTING": True, "SECRET_KEY": "x", "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite'}",
                      "EXTRA_SCOPES": ["lights"]})
    server = app.extensions["ride_hailer.authorization_server"]
    assert "lights" in server.scopes_supported and "profile" in server.scopes_supported


def test_template_override_replaces_a_page_and_can_extend_the_original(tmp_path: Path) -> None:
    (tmp_path / "error.html").write_text('{% extends "service/error.html" %}{% block title %}Branded{% endblock %}')
    app = create_app({"TESTING": True, "SECRET_KEY": "x", "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite'}",
                      "TEMPLATE_OVERRIDES": str(tmp_path)})
    page = app.test_client().get("/no-such-page").get_data(as_text=True)
    assert "<title>Branded</title>" in page
