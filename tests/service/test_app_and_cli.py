"""App factory settings and the `flask --app ride_hailer_service` commands."""
from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from ride_hailer_service import create_app
from ride_hailer_service.admin import AdminError, create_alexa_client
from ride_hailer_service.config import sqlalchemy_url
from ride_hailer_service.errors import ConfigurationError
from ride_hailer_service.models import Client, User, db
from ride_hailer_service.security import token_digest
from ride_hailer_service.web import is_loopback_host


def test_service_refuses_to_start_without_secret_key_outside_debug(monkeypatch, tmp_path):
    monkeypatch.delenv("RIDE_HAILER_SECRET_KEY", raising=False)
    with pytest.raises(ConfigurationError, match="RIDE_HAILER_SECRET_KEY"):
        create_app({"DATABASE_URL": f"sqlite:///{tmp_path}/x.sqlite"})


def test_settings_come_from_prefixed_environment_then_test_config(monkeypatch, tmp_path):
    monkeypatch.setenv("RIDE_HAILER_SECRET_KEY", "from-env")
    monkeypatch.setenv("RIDE_HAILER_ISSUER", "https://rides.example.com")
    monkeypatch.setenv("RIDE_HAILER_ACCESS_TOKEN_LIFETIME", "600")
    monkeypatch.setenv("RIDE_HAILER_DATABASE_URL", f"sqlite:///{tmp_path}/env.sqlite")
    app = create_app({"REFRESH_TOKEN_GRACE_PERIOD": 30})
    assert app.config["SECRET_KEY"] == "from-env"
    assert app.config["ACCESS_TOKEN_LIFETIME"] == 600
    assert app.config["REFRESH_TOKEN_GRACE_PERIOD"] == 30
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path}/env.sqlite"


@pytest.mark.parametrize("setting,value", [("ACCESS_TOKEN_LIFETIME", 0), ("AUTHORIZATION_CODE_LIFETIME", 301), ("REFRESH_TOKEN_GRACE_PERIOD", "soon")])
def test_bad_lifetime_is_refused_naming_the_variable(tmp_path, setting, value):
    with pytest.raises(ConfigurationError, match=f"RIDE_HAILER_{setting}"):
        create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{tmp_path}/x.sqlite", setting: value})


@pytest.mark.parametrize("url,expected", [
    ("postgresql://127.0.0.1:5432/rides", "postgresql+psycopg://127.0.0.1:5432/rides"),
    ("postgres://u@db/rides", "postgresql+psycopg://u@db/rides"),
    ("sqlite:////var/lib/rides.sqlite", "sqlite:////var/lib/rides.sqlite"),
])
def test_database_urls_map_to_installed_drivers(url, expected):
    assert sqlalchemy_url(url) == expected


def test_unsupported_database_url_is_refused():
    with pytest.raises(ConfigurationError, match="RIDE_HAILER_DATABASE_URL"):
        sqlalchemy_url("mysql://db/rides")


@pytest.mark.parametrize("host,loopback", [
    ("127.0.0.1:5000", True), ("127.3.4.5", True), ("localhost:8080", True), ("[::1]:5000", True),
    ("ride-hailer.example", False), ("127.0.0.1.evil.example", False), ("10.0.0.1", False), ("localhost.evil.example", False),
])
def test_plain_http_is_only_for_loopback_hosts(host, loopback):
    assert is_loopback_host(host) is loopback


def test_proxy_fix_trusts_forwarded_https_when_configured(database):
    app = create_app({**database, "TESTING": True, "TRUSTED_PROXIES": 1})
    response = app.test_client().get(
        "/.well-known/oauth-authorization-server",
        base_url="http://ride-hailer.example",
        headers={"X-Forwarded-Proto": "https", "X-Forwarded-Host": "ride-hailer.example", "X-Forwarded-For": "203.0.113.9"},
    )
    assert response.status_code == 200
    assert response.get_json()["issuer"] == "https://ride-hailer.example"
    with app.app_context():
        db.engine.dispose()


def test_cli_init_db_then_create_user_and_alexa_client(tmp_path):
    app = create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{tmp_path}/cli.sqlite"})
    runner = app.test_cli_runner()
    result = runner.invoke(args=["init-db"])
    assert result.exit_code == 0, result.output
    result = runner.invoke(args=["create-user", "--email", " Ann@Example.com", "--password", "long enough pw", "--name", "Ann"])
    assert result.exit_code == 0, result.output
    result = runner.invoke(args=["create-alexa-client", "--vendor-id", "M2VENDOR", "--scheme", "REQUEST_BODY_CREDENTIALS"])
    assert result.exit_code == 0, result.output
    printed = json.loads(result.output[result.output.index("{"):])["accountLinkingRequest"]
    assert printed["accessTokenScheme"] == "REQUEST_BODY_CREDENTIALS"
    assert printed["type"] == "AUTH_CODE" and printed["scopes"] == ["profile", "rides:read", "rides:write"]
    for region in ("pitangui.amazon.com", "layla.amazon.com", "alexa.amazon.co.jp"):
        assert f"https://{region}/api/skill/link/M2VENDOR" in result.output
    with app.app_context():
        client = db.session.execute(select(Client)).scalar_one()
        secret = result.output.splitlines()[result.output.splitlines().index(next(line for line in result.output.splitlines() if line.startswith("Client secret"))) + 1]
        assert "clientSecret" not in printed
        assert client.client_secret_digest == token_digest(secret)
        assert client.token_endpoint_auth_method == "client_secret_post"
        assert db.session.execute(select(User.email)).scalar_one() == "ann@example.com"
        db.engine.dispose()
    again = runner.invoke(args=["create-user", "--email", "ann@example.com", "--password", "long enough pw", "--name", "Ann"])
    assert again.exit_code != 0 and "exists" in again.output


def test_cli_rejects_unknown_scheme(tmp_path):
    app = create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{tmp_path}/cli.sqlite"})
    result = app.test_cli_runner().invoke(args=["create-alexa-client", "--vendor-id", "M2", "--scheme", "DIGEST"])
    assert result.exit_code != 0


@pytest.mark.parametrize("vendor_id", ["", "M2/../x", "M2 X", "M2\r\n", "M2?x", "M2#x", "M2.x"])
def test_admin_refuses_vendor_ids_that_cannot_be_a_path_segment(app, vendor_id):
    with app.app_context(), pytest.raises(AdminError):
        create_alexa_client(vendor_id, "HTTP_BASIC")


def test_migrations_create_exactly_the_schema_of_the_models(app):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    with app.app_context(), db.engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), db.metadata)
    assert differences == []


def test_admin_helpers_return_objects_usable_after_the_app_context(app):
    from ride_hailer_service.admin import create_user

    with app.app_context():
        client, secret = create_alexa_client("M2VENDOR", "REQUEST_BODY_CREDENTIALS", client_id="demo")
        user = create_user("demo@example.com", "pw", "Demo")
    assert client.client_id == "demo" and client.check_client_secret(secret)
    assert len(client.redirect_uri_list) == 3
    assert user.email == "demo@example.com" and user.id
