"""An authorization server in the shape of Authlib's example server, for linkcheck's tests.

Written for these tests (not copied): Flask + Authlib's Flask integration and SQLAlchemy
mixins on SQLite, its canonical consent page (a "Consent?" checkbox and a Submit button),
plus a login page with a password. `AuthlibSetup` turns a correct setup into the
misconfigurations that break Alexa linking in practice.
"""
from __future__ import annotations

import json
import os
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from authlib.integrations.flask_oauth2 import AuthorizationServer
from authlib.integrations.sqla_oauth2 import (
    OAuth2AuthorizationCodeMixin,
    OAuth2ClientMixin,
    OAuth2TokenMixin,
    create_query_client_func,
    create_save_token_func,
)
from authlib.oauth2 import OAuth2Error
from authlib.oauth2.rfc6749 import grants
from flask import Flask, Response, redirect, request, session
from flask_sqlalchemy import SQLAlchemy
from markupsafe import escape
from werkzeug.serving import make_server

USERNAME = "rider"
PASSWORD = "correct horse battery"
CLIENT_ID = "alexa-skill"
CLIENT_SECRET = "authlib-client-secret-7f1e"
VENDOR_ID = "M2AUTHLIBEXAMPLE"
ALEXA_REDIRECTS = [f"https://pitangui.amazon.com/api/skill/link/{VENDOR_ID}",
                   f"https://layla.amazon.com/api/skill/link/{VENDOR_ID}",
                   f"https://alexa.amazon.co.jp/api/skill/link/{VENDOR_ID}"]


@dataclass
class AuthlibSetup:
    """How the server is configured; the defaults are right for Alexa."""

    redirect_uris: tuple[str, ...] = tuple(ALEXA_REDIRECTS)
    #: client_secret_basic (Alexa's HTTP_BASIC) or client_secret_post (REQUEST_BODY_CREDENTIALS)
    auth_method: str = "client_secret_basic"
    expires_in: int = 3600
    #: refresh tokens refused once their access token has expired
    refresh_dies_with_access: bool = False
    #: the token answer rewritten as application/x-www-form-urlencoded (GitHub's default)
    form_encoded: bool = False
    #: reusing a rotated-out refresh token revokes every token of the user and client
    kill_chain_on_reuse: bool = False
    #: OAUTH2_REFRESH_TOKEN_GENERATOR (Authlib issues no refresh tokens without it)
    refresh_tokens: bool = True
    #: exactly Authlib's example: a signed-out user gets the user name on the consent form
    #: itself (no password), logged in and consenting with one Submit
    username_on_consent_page: bool = False


def create_app(db_path: Path, setup: AuthlibSetup) -> Flask:
    """The Flask app with its own SQLite database, one user and one client."""
    app = Flask(__name__)
    app.config.update(SECRET_KEY=os.urandom(16).hex(),
                      SQLALCHEMY_DATABASE_URI=f"sqlite:///{db_path}",
                      OAUTH2_REFRESH_TOKEN_GENERATOR=setup.refresh_tokens,
                      OAUTH2_TOKEN_EXPIRES_IN={"authorization_code": setup.expires_in,
                                               "refresh_token": setup.expires_in})
    db = SQLAlchemy(app)

    class User(db.Model):  # type: ignore[name-defined]
        id = db.Column(db.Integer, primary_key=True)
        username = db.Column(db.String(40), unique=True)
        password = db.Column(db.String(80))

        def get_user_id(self) -> int:
            return self.id

    class Client(db.Model, OAuth2ClientMixin):  # type: ignore[name-defined]
        id = db.Column(db.Integer, primary_key=True)

    class AuthorizationCode(db.Model, OAuth2AuthorizationCodeMixin):  # type: ignore[name-defined]
        id = db.Column(db.Integer, primary_key=True)
        user_id = db.Column(db.Integer)

    class Token(db.Model, OAuth2TokenMixin):  # type: ignore[name-defined]
        id = db.Column(db.Integer, primary_key=True)
        user_id = db.Column(db.Integer)

    class CodeGrant(grants.AuthorizationCodeGrant):
        TOKEN_ENDPOINT_AUTH_METHODS = ["client_secret_basic", "client_secret_post"]

        def save_authorization_code(self, code: str, req: Any) -> None:
            payload = getattr(req, "payload", req)
            db.session.add(AuthorizationCode(
                code=code, client_id=req.client.client_id, redirect_uri=payload.redirect_uri,
                scope=payload.scope, user_id=req.user.id))
            db.session.commit()

        def query_authorization_code(self, code: str, client: Any) -> Any:
            item = AuthorizationCode.query.filter_by(code=code,
                                                     client_id=client.client_id).first()
            return item if item and not item.is_expired() else None

        def delete_authorization_code(self, item: Any) -> None:
            db.session.delete(item)
            db.session.commit()

        def authenticate_user(self, item: Any) -> Any:
            return db.session.get(User, item.user_id)

    class RefreshGrant(grants.RefreshTokenGrant):
        TOKEN_ENDPOINT_AUTH_METHODS = ["client_secret_basic", "client_secret_post"]
        INCLUDE_NEW_REFRESH_TOKEN = True

        def authenticate_refresh_token(self, refresh_token: str) -> Any:
            token = Token.query.filter_by(refresh_token=refresh_token).first()
            if token is None:
                return None
            if token.refresh_token_revoked_at:
                if setup.kill_chain_on_reuse:
                    for sibling in Token.query.filter_by(user_id=token.user_id,
                                                         client_id=token.client_id):
                        sibling.refresh_token_revoked_at = int(time.time())
                    db.session.commit()
                return None
            if setup.refresh_dies_with_access and token.issued_at + token.expires_in < time.time():
                return None
            return token

        def authenticate_user(self, credential: Any) -> Any:
            return db.session.get(User, credential.user_id)

        def revoke_old_credential(self, credential: Any) -> None:
            credential.refresh_token_revoked_at = int(time.time())
            db.session.commit()

    server = AuthorizationServer(app, query_client=create_query_client_func(db.session, Client),
                                 save_token=create_save_token_func(db.session, Token))
    server.register_grant(CodeGrant)
    server.register_grant(RefreshGrant)

    def page(body: str, status: int = 200) -> Response:
        return Response("<!doctype html><html><head><meta name=viewport "
                        "content='width=device-width'></head><body>" + body + "</body></html>",
                        status, {"X-Frame-Options": "DENY", "Referrer-Policy": "no-referrer"})

    @app.route("/login", methods=["GET", "POST"])
    def login() -> Any:
        error = ""
        if request.method == "POST":
            user = User.query.filter_by(username=request.form.get("username")).first()
            if user is not None and user.password == request.form.get("password"):
                session["uid"] = user.id
                return redirect(request.args.get("next") or "/")
            error = '<p class="error">Wrong username or password.</p>'
        return page(f"<h1>Sign in</h1>{error}<form method=post>"
                    "<input type=text name=username autocapitalize=off autocorrect=off>"
                    "<input type=password name=password><button>Sign in</button></form>")

    @app.route("/oauth/authorize", methods=["GET", "POST"])
    def authorize() -> Any:
        user = db.session.get(User, session["uid"]) if "uid" in session else None
        if user is None and setup.username_on_consent_page and request.method == "POST":
            user = User.query.filter_by(username=request.form.get("username")).first()
            if user is not None:
                session["uid"] = user.id
        if user is None and setup.username_on_consent_page:
            return page("<p>You are not signed in.</p>"
                        '<form action="" method="post"><label>Username <input type="text" '
                        'name="username"></label><label><input type="checkbox" '
                        'name="confirm"><span>Consent?</span></label><br>'
                        "<button>Submit</button></form>")
        if user is None:
            return redirect("/login?" + urlencode({"next": request.full_path}))
        try:
            grant = server.get_consent_grant(end_user=user)
        except OAuth2Error as error:
            return page(f"<p>{escape(error.error)}</p>", 400)
        if request.method == "GET":
            return page(f"<p>The application <strong>{escape(grant.client.client_id)}</strong> "
                        f"is requesting <strong>{escape(grant.request.payload.scope or '')}"
                        f"</strong> from you, {escape(user.username)}.</p>"
                        '<form action="" method="post"><label><input type="checkbox" '
                        'name="confirm"><span>Consent?</span></label><br>'
                        "<button>Submit</button></form>")
        grant_user = user if request.form.get("confirm") else None
        return server.create_authorization_response(grant_user=grant_user, grant=grant)

    @app.route("/oauth/token", methods=["POST"])
    def issue_token() -> Any:
        response = server.create_token_response()
        if setup.form_encoded and response.status_code == 200:
            body = json.loads(response.get_data(as_text=True))
            response.set_data(urlencode(body))
            response.headers["Content-Type"] = "application/x-www-form-urlencoded"
        return response

    with app.app_context():
        db.create_all()
        db.session.add(User(username=USERNAME, password=PASSWORD))
        client = Client(client_id=CLIENT_ID, client_secret=CLIENT_SECRET,
                        client_id_issued_at=int(time.time()))
        client.set_client_metadata({
            "client_name": "Ride Hailer for Alexa", "redirect_uris": list(setup.redirect_uris),
            "grant_types": ["authorization_code", "refresh_token"], "response_types": ["code"],
            "scope": "profile rides", "token_endpoint_auth_method": setup.auth_method})
        db.session.add(client)
        db.session.commit()
    return app


class AuthlibExampleServer:
    """The app served by werkzeug on 127.0.0.1 in a thread."""

    def __init__(self, db_path: Path, setup: AuthlibSetup) -> None:
        self.httpd = make_server("127.0.0.1", 0, create_app(db_path, setup), threaded=True)
        self.base_url = f"http://127.0.0.1:{self.httpd.server_port}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> "AuthlibExampleServer":
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.thread.join(timeout=10)
