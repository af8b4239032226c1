"""The library's OIDC and JWT clients against the real Ride Hailer service on a server thread.

The service is the real Flask app on a migrated SQLite file (and a PostgreSQL schema when
TEST_DATABASE_URL is set), served by werkzeug on
127.0.0.1; the linking flow (login, consent, code exchange) runs through Flask's test
client on the same database, then the library talks to the served app over HTTP.
"""
from __future__ import annotations

import json
import os
import threading
from typing import Any, Iterator

import jwt
import pytest
import requests
from flask import Flask, request, request_started
from flask_migrate import upgrade
from joserfc.jwk import RSAKey
from werkzeug.serving import make_server

from account_linking import LinkRejected, MissingScope, OidcUserinfoClient
from account_linking.jwt_access import JwtAccessTokenClient
from devstack.database import fresh_database
from ride_hailer_service import create_app
from ride_hailer_service.admin import create_alexa_client, create_user
from ride_hailer_service.errors import ConfigurationError
from ride_hailer_service.models import db
from tests.service.conftest import VENDOR_ID, Registered, exchange, link

from .conftest import TIMEOUT

EMAIL = "rider@example.com"
PASSWORD = "correct horse battery"


class Service:
    """The service app, its base URL, a browser-like test client and a registered skill."""

    def __init__(self, app: Flask, url: str) -> None:
        self.app = app
        self.url = url
        self.browser = app.test_client()
        #: paths of every request the service received (test client and HTTP alike)
        self.paths: list[str] = []
        request_started.connect(lambda sender, **extra: self.paths.append(request.path), app, weak=False)
        with app.app_context():
            self.user_id = create_user(EMAIL, PASSWORD, "Riley Rider").id
            client, secret = create_alexa_client(
                VENDOR_ID, "HTTP_BASIC", client_id="alexa-oidc",
                scopes=("openid", "profile", "rides:read", "rides:write"),
            )
        self.skill = Registered(client.client_id, secret, "HTTP_BASIC")

    def tokens(self, scope: str, **extra: str) -> dict[str, Any]:
        """Link with ``scope`` and exchange the code: the token answer."""
        code = link(self.browser, self.skill.client_id, scope=scope, **extra)["code"][0]
        answer = exchange(self.browser, self.skill, code)
        assert answer.status_code == 200, answer.get_data(as_text=True)
        return answer.get_json()  # type: ignore[no-any-return]


BACKENDS = ["sqlite"] + (["postgresql"] if os.environ.get("TEST_DATABASE_URL") else [])


@pytest.fixture(params=BACKENDS)
def database(request: pytest.FixtureRequest, tmp_path: Any) -> Iterator[dict[str, Any]]:
    """A fresh SQLite file, or a fresh PostgreSQL schema dropped afterwards."""
    postgres = os.environ["TEST_DATABASE_URL"] if request.param == "postgresql" else None
    with fresh_database(tmp_path, "test_clients", postgres) as config:
        yield config


def serve(database: dict[str, Any], **config: Any) -> Iterator[Service]:
    """The service on a migrated database, served on 127.0.0.1 in a thread."""
    app = create_app({**database, "TESTING": True, "SECRET_KEY": "test", **config})
    with app.app_context():
        upgrade()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    url = f"http://127.0.0.1:{server.server_port}"
    app.config["ISSUER"] = url  # the issuer the tokens name is the served URL
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield Service(app, url)
    finally:
        server.shutdown()
        server.server_close()
        with app.app_context():
            db.engine.dispose()


@pytest.fixture
def service(database) -> Iterator[Service]:
    yield from serve(database)


@pytest.fixture
def jwt_service(database) -> Iterator[Service]:
    yield from serve(database, ACCESS_TOKEN_FORMAT="jwt")


def test_oidc_client_finds_userinfo_by_discovery_and_gets_the_linked_user(service, session):
    tokens = service.tokens("openid profile")
    profile = OidcUserinfoClient(session, service.url, TIMEOUT).fetch_profile(tokens["access_token"])
    assert (profile.user_id, profile.name, profile.email) == (str(service.user_id), "Riley Rider", EMAIL)
    assert profile.scopes == frozenset({"openid", "profile"})


def test_userinfo_without_profile_scope_names_nobody_but_the_subject(service, session):
    tokens = service.tokens("openid rides:read")
    profile = OidcUserinfoClient(session, service.url, TIMEOUT).fetch_profile(tokens["access_token"])
    assert profile.user_id == str(service.user_id) and profile.name is None and profile.email is None


def test_userinfo_for_a_token_without_openid_is_a_missing_openid_scope(service, session):
    tokens = service.tokens("profile")
    with pytest.raises(MissingScope) as caught:
        OidcUserinfoClient(session, service.url, TIMEOUT).fetch_profile(tokens["access_token"])
    assert caught.value.scope == "openid"


def test_userinfo_for_a_revoked_token_is_a_rejected_link(service, session):
    tokens = service.tokens("openid profile")
    basic = requests.auth.HTTPBasicAuth(service.skill.client_id, service.skill.secret)
    assert session.post(service.url + "/oauth/revoke", data={"token": tokens["access_token"]}, auth=basic).status_code == 200
    with pytest.raises(LinkRejected):
        OidcUserinfoClient(session, service.url, TIMEOUT).fetch_profile(tokens["access_token"])


def test_code_exchange_with_openid_returns_an_id_token_signed_by_a_published_key(service, session):
    tokens = service.tokens("openid profile", nonce="n-0S6_WzA2Mj")
    jwks = session.get(session.get(service.url + "/.well-known/openid-configuration").json()["jwks_uri"]).json()
    header = jwt.get_unverified_header(tokens["id_token"])
    (key,) = [k for k in jwks["keys"] if k["kid"] == header["kid"]]
    claims = jwt.decode(tokens["id_token"], jwt.PyJWK(key).key, algorithms=["RS256"],
                        audience=service.skill.client_id, issuer=service.url)
    assert claims["sub"] == str(service.user_id) and claims["nonce"] == "n-0S6_WzA2Mj"
    assert claims["email"] == EMAIL and "auth_time" in claims


def test_code_exchange_without_openid_returns_no_id_token(service):
    assert "id_token" not in service.tokens("profile")


def test_an_overlong_nonce_is_refused_at_the_authorization_request(service):
    page = service.browser.get(
        f"/oauth/authorize?client_id={service.skill.client_id}&response_type=code&scope=openid"
        f"&state=s&nonce={'n' * 300}&redirect_uri=https://pitangui.amazon.com/api/skill/link/{VENDOR_ID}"
    )
    assert page.status_code == 302 and "error=invalid_request" in page.headers["Location"]


def test_rfc8414_metadata_advertises_the_jwks_and_userinfo(service, session):
    metadata = session.get(service.url + "/.well-known/oauth-authorization-server").json()
    assert metadata["jwks_uri"] == service.url + "/.well-known/jwks.json"
    assert metadata["userinfo_endpoint"] == service.url + "/oauth/userinfo"
    assert all("d" not in key and "p" not in key for key in session.get(metadata["jwks_uri"]).json()["keys"])


def test_access_tokens_stay_opaque_by_default(service):
    with pytest.raises(jwt.DecodeError):
        jwt.get_unverified_header(service.tokens("profile")["access_token"])


def test_jwt_access_tokens_are_verified_locally_by_the_librarys_jwt_client(jwt_service, session):
    tokens = jwt_service.tokens("profile rides:read")
    assert jwt.get_unverified_header(tokens["access_token"])["typ"] == "at+jwt"
    client = JwtAccessTokenClient(session, jwt_service.url, TIMEOUT, audience=jwt_service.url + "/api/v1")
    profile = client.fetch_profile(tokens["access_token"])
    assert profile.user_id == str(jwt_service.user_id) and profile.scopes == frozenset({"profile", "rides:read"})
    requests_so_far = len(jwt_service.paths)
    for _ in range(3):
        assert client.fetch_profile(tokens["access_token"]).user_id == str(jwt_service.user_id)
    assert len(jwt_service.paths) == requests_so_far  # checked locally: no call to the service
    assert jwt_service.paths.count("/.well-known/jwks.json") == 1


def test_jwt_access_tokens_work_on_the_services_own_api_and_die_with_revocation(jwt_service, session):
    tokens = jwt_service.tokens("profile")
    bearer = {"Authorization": f"Bearer {tokens['access_token']}"}
    assert session.get(jwt_service.url + "/api/v1/me", headers=bearer).json()["email"] == EMAIL
    basic = requests.auth.HTTPBasicAuth(jwt_service.skill.client_id, jwt_service.skill.secret)
    session.post(jwt_service.url + "/oauth/revoke", data={"token": tokens["access_token"]}, auth=basic)
    assert session.get(jwt_service.url + "/api/v1/me", headers=bearer).status_code == 401


def test_a_jwt_for_the_services_api_is_refused_by_a_client_expecting_another_audience(jwt_service, session):
    tokens = jwt_service.tokens("profile")
    client = JwtAccessTokenClient(session, jwt_service.url, TIMEOUT, audience="https://other-api.example.com")
    with pytest.raises(LinkRejected):
        client.fetch_profile(tokens["access_token"])


def test_rotation_publishes_every_key_and_signs_with_the_chosen_one(database, session):
    old, new = (RSAKey.generate_key(2048, parameters={"kid": kid}) for kid in ("2026-11", "2026-12"))
    keys = json.dumps({"keys": [old.as_dict(private=True), new.as_dict(private=True)]})
    for service in serve(database, ACCESS_TOKEN_FORMAT="jwt", SIGNING_KEYS=keys, SIGNING_KEY_ID="2026-12"):
        published = {key["kid"] for key in session.get(service.url + "/.well-known/jwks.json").json()["keys"]}
        token = service.tokens("profile")["access_token"]
        assert published == {"2026-11", "2026-12"} and jwt.get_unverified_header(token)["kid"] == "2026-12"
        client = JwtAccessTokenClient(session, service.url, TIMEOUT, audience=service.url + "/api/v1")
        assert client.fetch_profile(token).user_id == str(service.user_id)


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ({"ACCESS_TOKEN_FORMAT": "paseto"}, "opaque or jwt"),
        ({"ACCESS_TOKEN_FORMAT": "jwt", "TESTING": False, "ISSUER": "https://rides.example.com"}, "SIGNING_KEYS is not set"),
        ({"SIGNING_KEYS": '{"keys": [{"kty": "oct", "k": "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "kid": "x"}]}'}, "RSA or EC private"),
        ({"SIGNING_KEYS": "not json {"}, "cannot read"),
        ({"SIGNING_KEYS": '{"keys": []}'}, "no key"),
        ({"SIGNING_KEYS": '{"kty": "RSA", "kid": "a-single-key"}'}, "must be a JWKS"),
    ],
    ids=["unknown-format", "jwt-without-keys", "symmetric-key", "missing-file", "empty-set", "not-a-set"],
)
def test_unusable_token_settings_stop_the_service_at_start_with_a_clear_message(tmp_path, config, message):
    base = {"DATABASE_URL": f"sqlite:///{tmp_path / 's.sqlite'}", "TESTING": True, "SECRET_KEY": "test"}
    with pytest.raises(ConfigurationError, match=message):
        create_app({**base, **config})
