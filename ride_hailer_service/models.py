"""SQLAlchemy models: users, OAuth clients, codes, tokens, rides, outbox mail, login attempts.

Tokens, codes, reset links and client secrets are stored only as SHA-256 digests.
Times are naive UTC.
"""
from __future__ import annotations

import datetime as dt

from authlib.oauth2.rfc6749 import ClientMixin, TokenMixin
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import (
    Boolean,
    DateTime,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from .security import digests_equal, token_digest

#: Constraint names Alembic can diff and drop on every backend.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base with a naming convention for constraints."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)


def utcnow() -> dt.datetime:
    """The current time as naive UTC."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


class User(db.Model):  # type: ignore[name-defined,misc]
    """A Ride Hailer account (the resource owner)."""

    __tablename__ = "users"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True, nullable=False)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    password_hash: Mapped[str] = mapped_column(String(255), nullable=False)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, nullable=False)

    def get_user_id(self) -> int:
        """Authlib hook: the user's id."""
        return self.id


class Client(db.Model, ClientMixin):  # type: ignore[name-defined,misc]
    """A registered OAuth client (the skill, on whose behalf Alexa calls)."""

    __tablename__ = "clients"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    client_id: Mapped[str] = mapped_column(String(100), unique=True, nullable=False)
    client_secret_digest: Mapped[str] = mapped_column(String(64), nullable=False)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    #: space separated list of exact redirect URIs
    redirect_uris: Mapped[str] = mapped_column(Text, nullable=False)
    #: space separated list of scopes the client may ask for
    scope: Mapped[str] = mapped_column(Text, nullable=False)
    #: client_secret_basic (Alexa HTTP_BASIC) or client_secret_post (REQUEST_BODY_CREDENTIALS)
    token_endpoint_auth_method: Mapped[str] = mapped_column(String(40), nullable=False)
    allow_implicit: Mapped[bool] = mapped_column(Boolean, default=False, nullable=False)
    require_pkce: Mapped[bool] = mapped_column(Boolean, default=False, nullable=False)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, nullable=False)

    @property
    def redirect_uri_list(self) -> list[str]:
        """The registered redirect URIs."""
        return self.redirect_uris.split()

    def get_client_id(self) -> str:
        """Authlib hook."""
        return self.client_id

    def get_default_redirect_uri(self) -> None:
        """Authlib hook: no default; Alexa always sends redirect_uri."""
        return None

    def get_allowed_scope(self, scope: str | None) -> str:
        """Authlib hook: the requested scopes this client may have.

        An omitted or blank scope resolves to nothing, never to the client's full list
        (issue 11, finding 1); the grants refuse a scope that resolves to nothing.
        """
        allowed = self.scope.split()
        return " ".join(s for s in dict.fromkeys((scope or "").split()) if s in allowed)

    def check_redirect_uri(self, redirect_uri: str) -> bool:
        """Authlib hook: exact, case-sensitive match against a registered URI."""
        return any(redirect_uri == uri for uri in self.redirect_uri_list)

    def check_client_secret(self, client_secret: str) -> bool:
        """Authlib hook: compare digests in constant time."""
        return digests_equal(token_digest(client_secret), self.client_secret_digest)

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        """Authlib hook: only the one scheme registered for this client."""
        return method == self.token_endpoint_auth_method

    def check_response_type(self, response_type: str) -> bool:
        """Authlib hook: code always, token only for implicit clients."""
        return response_type == "code" or (response_type == "token" and self.allow_implicit)

    def check_grant_type(self, grant_type: str) -> bool:
        """Authlib hook."""
        return grant_type in ("authorization_code", "refresh_token")


class AuthorizationCode(db.Model):  # type: ignore[name-defined,misc]
    """A single-use authorization code (digest only)."""

    __tablename__ = "authorization_codes"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code_digest: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    client_id: Mapped[str] = mapped_column(String(100), nullable=False, index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), nullable=False)
    redirect_uri: Mapped[str] = mapped_column(Text, nullable=False)
    scope: Mapped[str] = mapped_column(Text, nullable=False, default="")
    code_challenge: Mapped[str | None] = mapped_column(String(128), nullable=True)
    code_challenge_method: Mapped[str | None] = mapped_column(String(10), nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, nullable=False)
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime, nullable=False)
    used_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)

    def get_redirect_uri(self) -> str:
        """Authlib hook."""
        return self.redirect_uri

    def get_scope(self) -> str:
        """Authlib hook."""
        return self.scope


class Token(db.Model, TokenMixin):  # type: ignore[name-defined,misc]
    """An access token with its refresh token (digests only), in a rotation family."""

    __tablename__ = "tokens"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    client_id: Mapped[str] = mapped_column(String(100), nullable=False, index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), nullable=False)
    scope: Mapped[str] = mapped_column(Text, nullable=False, default="")
    #: what the user consented to at authorization; every token of the family stays within it
    #: (NULL: a row written without it, by a tool outside the app; then the token's own scope)
    granted_scope: Mapped[str | None] = mapped_column(Text, nullable=True)
    access_token_digest: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    refresh_token_digest: Mapped[str | None] = mapped_column(String(64), unique=True, nullable=True)
    issued_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, nullable=False)
    expires_in: Mapped[int] = mapped_column(Integer, nullable=False)
    refresh_expires_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    #: id of the first token of the rotation chain (the code exchange)
    family_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)
    #: the token whose refresh token was used to issue this one
    parent_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)
    #: when this token's refresh token was first used (rotation)
    rotated_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    authorization_code_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)

    def check_client(self, client: Client) -> bool:
        """Authlib hook."""
        return self.client_id == client.get_client_id()

    @property
    def consented_scope(self) -> str:
        """The scope the user consented to for this token's family (never wider than recorded)."""
        return self.scope if self.granted_scope is None else self.granted_scope

    def get_scope(self) -> str:
        """Authlib hook."""
        return self.scope

    def get_expires_in(self) -> int:
        """Authlib hook."""
        return self.expires_in

    def is_expired(self) -> bool:
        """Authlib hook: the access token is past its lifetime."""
        return utcnow() >= self.issued_at + dt.timedelta(seconds=self.expires_in)

    def is_revoked(self) -> bool:
        """Authlib hook."""
        return self.revoked_at is not None


class SignIn(db.Model):  # type: ignore[name-defined,misc]
    """A sign-in for one authorization request, held server-side (the cookie holds its secret).

    Consent consumes it, a password reset and sign-out end it: a copy of the cookie is
    worth nothing afterwards.
    """

    __tablename__ = "sign_ins"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    secret_digest: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True)
    #: SHA-256 of the authorization request's parameters (order-independent)
    request_digest: Mapped[str] = mapped_column(String(64), nullable=False)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, nullable=False)
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime, nullable=False)
    #: consumed by the consent decision, or ended by a password reset or sign-out
    ended_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)


class Ride(db.Model):  # type: ignore[name-defined,misc]
    """A ride ordered through the API."""

    __tablename__ = "rides"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    public_id: Mapped[str] = mapped_column(String(40), unique=True, nullable=False)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True)
    status: Mapped[str] = mapped_column(String(20), nullable=False)
    destination: Mapped[str] = mapped_column(String(200), nullable=False)
    eta_minutes: Mapped[int] = mapped_column(Integer, nullable=False)
    fare_cents: Mapped[int] = mapped_column(Integer, nullable=False)
    currency: Mapped[str] = mapped_column(String(3), nullable=False)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, nullable=False)
    #: the order's Idempotency-Key header, unique per user (NULL: none sent)
    idempotency_key: Mapped[str | None] = mapped_column(String(200), nullable=True)
    #: SHA-256 of the order's normalized body, to refuse a reused key with another body
    request_digest: Mapped[str | None] = mapped_column(String(64), nullable=True)

    __table_args__ = (
        UniqueConstraint("user_id", "idempotency_key", name="uq_rides_user_id_idempotency_key"),
    )


class PasswordReset(db.Model):  # type: ignore[name-defined,misc]
    """A one-time password reset link (digest only)."""

    __tablename__ = "password_resets"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_digest: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), nullable=False)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, nullable=False)
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime, nullable=False)
    used_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)


class OutboxMail(db.Model):  # type: ignore[name-defined,misc]
    """A mail the service sent or still has to send; never lost."""

    __tablename__ = "outbox_mail"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    recipient: Mapped[str] = mapped_column(String(254), nullable=False)
    subject: Mapped[str] = mapped_column(String(200), nullable=False)
    body: Mapped[str] = mapped_column(Text, nullable=False)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, nullable=False)
    sent_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    #: delivery attempts so far (bounded by MAIL_MAX_ATTEMPTS)
    attempts: Mapped[int] = mapped_column(Integer, nullable=False, default=0, server_default="0")
    #: not before this time: a sender's lease while it sends, then the retry back-off
    next_attempt_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)


class LoginAttempt(db.Model):  # type: ignore[name-defined,misc]
    """A failed sign-in, keyed by account and by client address, for throttling."""

    __tablename__ = "login_attempts"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(100), nullable=False, index=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, nullable=False, index=True)
