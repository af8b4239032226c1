"""A minimal Authlib authorization server in the shape of Authlib's own example server.

Flask + Flask-SQLAlchemy + ``authlib.integrations.sqla_oauth2`` mixins, the authorization
code grant and the refresh token grant with rotation (``INCLUDE_NEW_REFRESH_TOKEN``; the old
token is revoked), client_secret_basic. Tokens and codes are stored in plain text and read
outside any explicit transaction, as the example does: no row locks, so two refreshes with
the same token can both succeed (the race our service closes). Settings from the environment:
``PEER_DATABASE_URL`` and, on PostgreSQL, ``PEER_DATABASE_SCHEMA``.
"""
from __future__ import annotations

import os
import time
from typing import Any

from authlib.integrations.flask_oauth2 import AuthorizationServer
from authlib.integrations.sqla_oauth2 import (
    OAuth2AuthorizationCodeMixin,
    OAuth2ClientMixin,
    OAuth2TokenMixin,
    create_query_client_func,
    create_save_token_func,
)
from authlib.oauth2.rfc6749 import grants
from flask import Flask, jsonify
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

db = SQLAlchemy()


class User(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "peer_users"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)

    def get_user_id(self) -> int:
        return self.id


class Client(db.Model, OAuth2ClientMixin):  # type: ignore[name-defined,misc]
    __tablename__ = "peer_clients"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("peer_users.id", ondelete="CASCADE"))


class AuthorizationCode(db.Model, OAuth2AuthorizationCodeMixin):  # type: ignore[name-defined,misc]
    __tablename__ = "peer_codes"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("peer_users.id", ondelete="CASCADE"))


class Token(db.Model, OAuth2TokenMixin):  # type: ignore[name-defined,misc]
    __tablename__ = "peer_tokens"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("peer_users.id", ondelete="CASCADE"))

    def is_refresh_token_active(self) -> bool:
        """Not revoked, and not past its (long) lifetime."""
        if self.refresh_token_revoked_at:
            return False
        return self.issued_at + self.expires_in * 2 * 24 * 365 >= time.time()


class AuthorizationCodeGrant(grants.AuthorizationCodeGrant):
    TOKEN_ENDPOINT_AUTH_METHODS = ["client_secret_basic", "client_secret_post"]

    def save_authorization_code(self, code: str, request: Any) -> None:
        item = AuthorizationCode(code=code, client_id=request.client.client_id,
                                 redirect_uri=request.payload.redirect_uri, scope=request.payload.scope,
                                 user_id=request.user.id)
        db.session.add(item)
        db.session.commit()

    def query_authorization_code(self, code: str, client: Any) -> Any:
        item = db.session.execute(
            db.select(AuthorizationCode).filter_by(code=code, client_id=client.client_id)).scalar()
        if item is not None and not item.is_expired():
            return item
        return None

    def delete_authorization_code(self, authorization_code: Any) -> None:
        db.session.delete(authorization_code)
        db.session.commit()

    def authenticate_user(self, authorization_code: Any) -> Any:
        return db.session.get(User, authorization_code.user_id)


class RefreshTokenGrant(grants.RefreshTokenGrant):
    TOKEN_ENDPOINT_AUTH_METHODS = ["client_secret_basic", "client_secret_post"]
    INCLUDE_NEW_REFRESH_TOKEN = True

    def authenticate_refresh_token(self, refresh_token: str) -> Any:
        token = db.session.execute(db.select(Token).filter_by(refresh_token=refresh_token)).scalar()
        if token is not None and token.is_refresh_token_active():
            return token
        return None

    def authenticate_user(self, refresh_token: Any) -> Any:
        return db.session.get(User, refresh_token.user_id)

    def revoke_old_credential(self, refresh_token: Any) -> None:
        now = int(time.time())
        refresh_token.access_token_revoked_at = now
        refresh_token.refresh_token_revoked_at = now
        db.session.add(refresh_token)
        db.session.commit()


def create_app() -> Flask:
    """The peer server on PEER_DATABASE_URL (tables must exist: see bench.peers.loading)."""
    app = Flask(__name__)
    app.config["SQLALCHEMY_DATABASE_URI"] = os.environ["PEER_DATABASE_URL"]
    schema = os.environ.get("PEER_DATABASE_SCHEMA")
    if schema:
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {"connect_args": {"options": f"-csearch_path={schema}"}}
    app.config["OAUTH2_REFRESH_TOKEN_GENERATOR"] = True
    db.init_app(app)
    server = AuthorizationServer(app, query_client=create_query_client_func(db.session, Client),
                                 save_token=create_save_token_func(db.session, Token))
    server.register_grant(AuthorizationCodeGrant)
    server.register_grant(RefreshTokenGrant)

    @app.post("/oauth/token")
    def issue_token() -> Any:
        return server.create_token_response()

    @app.get("/ready")
    def ready() -> Any:
        return jsonify(ok=True)

    return app
