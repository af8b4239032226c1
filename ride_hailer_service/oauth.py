"""The authorization server and resource protector, built on Authlib's documented hooks."""
from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from authlib.integrations.flask_oauth2 import AuthorizationServer, ResourceProtector
from authlib.oauth2.rfc6749 import grants
from authlib.oauth2.rfc6749.errors import (
    InvalidClientError,
    InvalidGrantError,
    InvalidRequestError,
    InvalidScopeError,
)
from authlib.oauth2.rfc6750 import BearerTokenGenerator, BearerTokenValidator
from authlib.oauth2.rfc7009 import RevocationEndpoint
from authlib.oauth2.rfc7636 import CodeChallenge
from flask import Flask, current_app
from sqlalchemy import bindparam, func, insert, literal_column, select, update
from sqlalchemy.orm.attributes import set_committed_value

from . import oidc
from .config import SCOPES
from .db import commit_keeping_objects, end_read_phase
from .models import AuthorizationCode, Client, Token, User, db, utcnow
from .security import new_secret, token_digest

log = logging.getLogger(__name__)

#: RFC 6749 section 2.3.1 and RFC 7591 names for Alexa's accessTokenScheme values.
CLIENT_AUTH_METHODS = ("client_secret_basic", "client_secret_post")

#: Longest client id the clients table holds.
MAX_CLIENT_ID_LENGTH = 100

#: RFC 7636 method Alexa uses; "plain" is not accepted.
PKCE_METHOD = "S256"

#: Random bytes in an access or refresh token: 288 bits, 48 URL-safe characters.
TOKEN_BYTES = 36


def _new_token(**_: Any) -> str:
    """A new access or refresh token (the OS's CSPRNG, base64url)."""
    return new_secret(TOKEN_BYTES)


# The token endpoint's writes, built once (plain table statements: no ORM bookkeeping; the
# caller updates the loaded object itself).
_TOKENS = Token.__table__
_CODES = AuthorizationCode.__table__
#: claim an unused, live refresh token (compare-and-set: matches at most once); the row it
#: returns says whether the token has live siblings (read in the same statement, after the
#: family lock was taken: a sibling issued before it is seen)
_CLAIM_REFRESH = (
    update(_TOKENS)
    .where(_TOKENS.c.id == bindparam("token_id"), _TOKENS.c.rotated_at.is_(None), _TOKENS.c.revoked_at.is_(None))
    .values(rotated_at=bindparam("now"))
    # written out: SQLAlchemy's SQLite compiler drops the table names inside RETURNING, which
    # would turn the correlation into "parent_id = parent_id"
    .returning(literal_column(
        "EXISTS (SELECT 1 FROM tokens AS sibling WHERE sibling.parent_id = tokens.parent_id"
        " AND sibling.id != tokens.id AND sibling.revoked_at IS NULL)"
    ))
)
#: the first use of one sibling revokes the others
_REVOKE_SIBLINGS = (
    update(_TOKENS)
    .where(
        _TOKENS.c.parent_id == bindparam("parent"),
        _TOKENS.c.id != bindparam("token_id"),
        _TOKENS.c.revoked_at.is_(None),
    )
    .values(revoked_at=bindparam("now"))
)
#: store a new token (its id comes back)
_INSERT_TOKEN = insert(_TOKENS).returning(_TOKENS.c.id)
#: the first token of a link is the head of its family
_START_FAMILY = update(_TOKENS).where(_TOKENS.c.id == bindparam("token_id")).values(family_id=_TOKENS.c.id)
#: spend an unused authorization code (compare-and-set)
_CLAIM_CODE = (
    update(_CODES)
    .where(_CODES.c.id == bindparam("code_id"), _CODES.c.used_at.is_(None))
    .values(used_at=bindparam("now"))
)


def _seconds(key: str) -> dt.timedelta:
    return dt.timedelta(seconds=int(current_app.config[key]))


def query_client(client_id: str) -> Client | None:
    """Authlib hook: the client with this id."""
    if not isinstance(client_id, str) or len(client_id) > MAX_CLIENT_ID_LENGTH or "\x00" in client_id:
        return None
    return db.session.execute(
        select(Client).where(Client.client_id == client_id)
    ).scalar_one_or_none()


def within(scope: str | None, granted: str) -> str:
    """The scopes of ``scope`` that ``granted`` contains, in order, without duplicates."""
    allowed = set(granted.split())
    return " ".join(s for s in dict.fromkeys((scope or "").split()) if s in allowed)


def save_token(token: dict[str, Any], request: Any) -> None:
    """Authlib hook: store digests of a new access (and refresh) token; the caller commits.

    The family's granted scope (what the user consented to at authorization) travels with
    every token of the family, and no token's scope ever leaves it.
    """
    now = utcnow()
    refresh = token.get("refresh_token")
    parent = getattr(request, "refresh_token", None)
    code = getattr(request, "authorization_code", None)
    if parent is not None:
        granted = parent.consented_scope
    elif code is not None:
        granted = code.scope
    else:  # implicit grant: the consent of this very request
        granted = request.client.get_allowed_scope(request.payload.scope)
    scope = within(token.get("scope"), granted)
    if not scope:
        raise InvalidScopeError("The link grants no scope; link the account again.")
    if "scope" in token:
        token["scope"] = scope
    values = {
        "client_id": request.client.client_id,
        "user_id": request.user.id,
        "scope": scope,
        "granted_scope": granted,
        "access_token_digest": token_digest(token["access_token"]),
        "refresh_token_digest": token_digest(refresh) if refresh else None,
        "issued_at": now,
        "expires_in": int(token["expires_in"]),
        "refresh_expires_at": now + _seconds("REFRESH_TOKEN_IDLE_LIFETIME") if refresh else None,
        "family_id": parent.family_id if parent is not None else None,
        "parent_id": parent.id if parent is not None else None,
        "authorization_code_id": code.id if parent is None and code is not None else None,
    }
    token_id = db.session.execute(_INSERT_TOKEN, values).scalar_one()
    if values["family_id"] is None:  # the first token of a link heads its family
        db.session.execute(_START_FAMILY, {"token_id": token_id})


def revoke_family(family_id: int | None, reason: str) -> None:
    """Revoke every token of a rotation family (the link dies)."""
    if family_id is None:
        return
    # Wait for a refresh of this family that holds the family lock: then the UPDATE below (a new
    # statement, so a new READ COMMITTED snapshot) also sees the token that refresh issued.
    # Without it a refresh racing a revocation left working tokens on PostgreSQL.
    _lock_family_head(family_id)
    db.session.execute(
        update(Token)
        .where(Token.family_id == family_id, Token.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )
    log.warning("revoked token family %s: %s", family_id, reason)


def _lock_family(token: Token) -> bool:
    """Lock a family, then re-read ``token``; False when the row is gone (account deleted).

    PostgreSQL: the family's advisory lock; SQLite: the write transaction is already
    serialized. One lock per family, so a refresh costs the same however long the rotation
    chain has grown; every refresh and revocation of the family takes this same lock first.
    """
    if token.family_id is not None:
        _lock_family_head(token.family_id)
    fresh = db.session.execute(
        select(Token).where(Token.id == token.id).execution_options(populate_existing=True)
    ).scalar_one_or_none()
    return fresh is not None


def _serialized() -> bool:
    """True on SQLite, where every write transaction runs alone (BEGIN IMMEDIATE)."""
    return db.session.get_bind().dialect.name == "sqlite"


#: First key of the PostgreSQL advisory locks that stand for token families.
FAMILY_LOCK_NAMESPACE = 0x52480001


def _family_lock(family_id: Any) -> Any:
    """SQL that takes the family's lock until the transaction ends (PostgreSQL).

    A transaction-scoped advisory lock, not a row lock: it lives in the lock manager only,
    so taking it writes nothing to the table or the WAL.
    """
    return func.pg_advisory_xact_lock(FAMILY_LOCK_NAMESPACE, family_id)


def _lock_family_head(family_id: int) -> None:
    """Take the family's lock: the one lock every refresh and revocation of it takes.

    SQLite needs none: its write transactions are serialized.
    """
    if not _serialized():
        db.session.execute(select(_family_lock(family_id))).all()


def _claim_refresh_token(token: Token) -> bool:
    """Mark ``token`` rotated if nothing rotated or revoked it since it was read.

    One compare-and-set UPDATE in the write transaction: it matches only while the token is
    unused and live, so of two racing refreshes exactly one claims it; the other re-decides
    on a fresh read (a grace sibling, or family revocation). The first use of one of several
    siblings also revokes the others: one chain survives. Siblings are rare (a lost answer,
    a racing refresh), so the claim itself says whether there are any (PostgreSQL: its
    statement starts after the family lock is held, so a sibling issued by the lock's last
    holder is visible; SQLite: the write transaction runs alone). On PostgreSQL the family
    lock was taken by the read that found the token (`authenticate_refresh_token`).
    """
    now = utcnow()
    claimed = db.session.execute(_CLAIM_REFRESH, {"token_id": token.id, "now": now}).first()
    if claimed is None:
        return False
    set_committed_value(token, "rotated_at", now)
    if claimed[0]:  # live siblings (a grace window was used): they lose, one chain survives
        db.session.execute(_REVOKE_SIBLINGS, {"parent": token.parent_id, "token_id": token.id, "now": now})
    return True


def _loaded_user(grant: Any, user_id: int) -> User | None:
    """The user read with the credential (same statement), else read now."""
    user = getattr(grant, "_user", None)
    if user is not None and user.id == user_id:
        return user
    return db.session.get(User, user_id)


class _ExactRedirectUriMixin:
    """Reject unregistered redirect URIs with a fixed message (never echo the URI)."""

    @staticmethod
    def validate_authorization_redirect_uri(request: Any, client: Client) -> str:
        redirect_uri = request.payload.redirect_uri
        if not redirect_uri:
            raise InvalidRequestError("Missing 'redirect_uri' in request.")
        if not client.check_redirect_uri(redirect_uri):
            raise InvalidRequestError("The redirect_uri is not registered for this client.")
        return str(redirect_uri)


class _ResolvedScopeMixin:
    """Refuse an authorization request whose scope resolves to nothing (RFC 6749 4.1.2.1).

    Authlib raises this from inside `validate_authorization_request`, after the redirect URI
    is validated, so the answer is an `invalid_scope` redirect carrying the `state`.
    """

    def validate_requested_scope(self) -> None:
        super().validate_requested_scope()  # type: ignore[misc]
        request = self.request  # type: ignore[attr-defined]
        if not request.client.get_allowed_scope(request.payload.scope):
            raise InvalidScopeError("Ask for at least one scope this client may have.")


class AuthorizationCodeGrant(_ResolvedScopeMixin, _ExactRedirectUriMixin, grants.AuthorizationCodeGrant):
    """Authorization code grant: single-use codes of at most 5 minutes, replay revokes."""

    TOKEN_ENDPOINT_AUTH_METHODS = list(CLIENT_AUTH_METHODS)

    def save_authorization_code(self, code: str, request: Any) -> None:
        data = request.payload.data
        db.session.add(
            AuthorizationCode(
                code_digest=token_digest(code),
                client_id=request.client.client_id,
                user_id=request.user.id,
                redirect_uri=request.payload.redirect_uri,
                # exactly the scopes the consent page listed
                scope=request.client.get_allowed_scope(request.payload.scope),
                code_challenge=data.get("code_challenge"),
                code_challenge_method=data.get("code_challenge_method"),
                expires_at=utcnow() + _seconds("AUTHORIZATION_CODE_LIFETIME"),
            )
        )
        db.session.commit()

    def query_authorization_code(self, code: str, client: Client) -> AuthorizationCode | None:
        # Read without the write lock (SQLite: a WAL snapshot); an unused code is claimed by a
        # compare-and-set when the token is saved, a used one is judged on a locked re-read.
        row = db.session.execute(
            select(AuthorizationCode, User)
            .join(User, User.id == AuthorizationCode.user_id)
            .where(AuthorizationCode.code_digest == token_digest(code))
        ).first()
        item, self._user = row if row is not None else (None, None)
        if item is None or item.client_id != client.client_id:
            return None
        if item.used_at is not None:
            end_read_phase(db.session)
            self._revoke_replayed(item)
            return None
        if utcnow() >= item.expires_at:
            return None
        return item

    @staticmethod
    def _revoke_replayed(item: AuthorizationCode) -> None:
        """A used code presented again: every link issued from it ends (RFC 6749 4.1.2)."""
        families = db.session.execute(
            select(Token.family_id).where(Token.authorization_code_id == item.id)
        ).scalars().all()
        for family_id in families:
            revoke_family(family_id, "authorization code replayed")

    def save_token(self, token: dict[str, Any]) -> None:
        """Spend the code (compare-and-set), store the token, commit: the write lock is this long."""
        item = self.request.authorization_code
        end_read_phase(db.session)
        now = utcnow()
        if db.session.execute(_CLAIM_CODE, {"code_id": item.id, "now": now}).rowcount != 1:
            # spent by a racing exchange since it was read: a replay
            self._revoke_replayed(item)
            commit_keeping_objects(db.session)
            raise InvalidGrantError("Invalid 'code' in request.")
        set_committed_value(item, "used_at", now)
        super().save_token(token)
        commit_keeping_objects(db.session)

    def delete_authorization_code(self, authorization_code: AuthorizationCode) -> None:
        """Nothing left to do: `save_token` spent the code in the same transaction as the token."""

    def authenticate_user(self, authorization_code: AuthorizationCode) -> User | None:
        return _loaded_user(self, authorization_code.user_id)


class ImplicitGrant(_ResolvedScopeMixin, _ExactRedirectUriMixin, grants.ImplicitGrant):
    """Implicit grant, only for clients registered for it; no refresh token."""

    def authenticate_token_endpoint_client(self) -> Client:
        client_id = self.request.payload.client_id
        client = query_client(client_id) if client_id else None
        if client is None:
            raise InvalidClientError(description="The client does not exist on this server.")
        return client


class RefreshTokenGrant(grants.RefreshTokenGrant):
    """Rotating refresh tokens with a grace window and family revocation on reuse."""

    TOKEN_ENDPOINT_AUTH_METHODS = list(CLIENT_AUTH_METHODS)
    INCLUDE_NEW_REFRESH_TOKEN = True

    def authenticate_refresh_token(self, refresh_token: str) -> Token | None:
        statement = (
            select(Token, User)
            .join(User, User.id == Token.user_id)
            .where(Token.refresh_token_digest == token_digest(refresh_token))
        )
        if not _serialized():
            # PostgreSQL: the family's lock comes with the read (one statement less); it is
            # held to the commit, so a revocation of the family sees the token issued here
            statement = statement.add_columns(_family_lock(Token.family_id))
        row = db.session.execute(statement).first()
        token, self._user = (row[0], row[1]) if row is not None else (None, None)
        if token is None or token.family_id is None:
            return None
        if token.revoked_at is None and token.rotated_at is None:
            if token.refresh_expires_at is None or utcnow() >= token.refresh_expires_at:
                return None
            return token  # unused and live when read: `save_token` claims it (compare-and-set)
        # Used or revoked: decided under the write lock on a fresh read (SQLite: the lookup
        # above ran in a read-only snapshot; PostgreSQL: the family's lock).
        end_read_phase(db.session)
        if not _lock_family(token):
            return None
        return self._decide(token)

    def _decide(self, token: Token) -> Token | None:
        """On a fresh read under the lock: the token to refresh (a grace sibling), or None."""
        now = utcnow()
        if token.revoked_at is not None:
            # RFC 9700 section 4.14.2: a revoked token (a losing sibling, or any token of a
            # revoked link) presented again ends the whole family; loud beats a silent takeover
            revoke_family(token.family_id, "revoked refresh token presented")
            return None
        if token.refresh_expires_at is None or now >= token.refresh_expires_at:
            return None
        if token.rotated_at is None:
            return token
        child_used = db.session.execute(
            select(Token.id).where(Token.parent_id == token.id, Token.rotated_at.is_not(None))
        ).first()
        if now - token.rotated_at <= _seconds("REFRESH_TOKEN_GRACE_PERIOD") and not child_used:
            return token  # a lost answer or a racing refresh: issue a sibling
        revoke_family(token.family_id, "rotated refresh token reused")
        return None

    def authenticate_user(self, refresh_token: Token) -> User | None:
        return _loaded_user(self, refresh_token.user_id)

    def save_token(self, token: dict[str, Any]) -> None:
        """Claim the refresh token, store the new one, commit: the write lock is this long."""
        parent = self.request.refresh_token
        end_read_phase(db.session)
        if parent.rotated_at is None and not _claim_refresh_token(parent):
            # rotated or revoked by a racing request since it was read: decide again
            if not _lock_family(parent) or self._decide(parent) is None:
                commit_keeping_objects(db.session)  # a revocation it caused stays
                raise InvalidGrantError()
        super().save_token(token)
        commit_keeping_objects(db.session)

    def _validate_token_scope(self, token: Token) -> None:
        """A refresh may narrow the scope, never widen it past what the user consented to.

        A `scope` that is sent but blank (spaces, tabs, no-break spaces) is `invalid_scope`,
        as is a token whose scope is empty (left by older code).
        """
        current = within(token.scope, token.consented_scope)
        scope = self.request.payload.scope
        if scope is None:
            if not current:
                raise InvalidScopeError("The link grants no scope; link the account again.")
            return
        requested = set(scope.split())
        if not requested or not requested <= set(current.split()):
            raise InvalidScopeError()

    def revoke_old_credential(self, refresh_token: Token) -> None:
        """Nothing left to do: `save_token` rotated it in the same transaction as the new token."""


class PkceChallenge(CodeChallenge):
    """PKCE honoured when sent (S256 only), required only for clients with require_pkce."""

    SUPPORTED_CODE_CHALLENGE_METHOD = [PKCE_METHOD]

    def __init__(self) -> None:
        super().__init__(required=False)

    def validate_code_challenge(self, grant: Any, redirect_uri: str) -> None:
        data = grant.request.payload.data
        if grant.request.client.require_pkce and not data.get("code_challenge"):
            raise InvalidRequestError("This client must send a PKCE code_challenge (S256).")
        if data.get("code_challenge") and data.get("code_challenge_method") != PKCE_METHOD:
            raise InvalidRequestError("code_challenge_method must be S256.")
        super().validate_code_challenge(grant, redirect_uri)


class TokenRevocationEndpoint(RevocationEndpoint):
    """RFC 7009: revoking either token of a link revokes its whole family."""

    CLIENT_AUTH_METHODS = list(CLIENT_AUTH_METHODS)

    def query_token(self, token_string: str, token_type_hint: str | None) -> Token | None:
        digest = token_digest(token_string)
        by_access = select(Token).where(Token.access_token_digest == digest)
        by_refresh = select(Token).where(Token.refresh_token_digest == digest)
        order = (by_refresh, by_access) if token_type_hint == "refresh_token" else (by_access, by_refresh)
        for statement in order:
            token = db.session.execute(statement).scalar_one_or_none()
            if token is not None:
                return token
        return None

    def revoke_token(self, token: Token, request: Any) -> None:
        if token.family_id is None:
            token.revoked_at = utcnow()
        else:
            revoke_family(token.family_id, "revoked by the client")


class AccessTokenValidator(BearerTokenValidator):
    """Looks up bearer access tokens by digest."""

    def authenticate_token(self, token_string: str) -> Token | None:
        return db.session.execute(
            select(Token).where(Token.access_token_digest == token_digest(token_string))
        ).scalar_one_or_none()


def _expires_in(client: Client, grant_type: str) -> int:
    key = "IMPLICIT_TOKEN_LIFETIME" if grant_type == "implicit" else "ACCESS_TOKEN_LIFETIME"
    return int(current_app.config[key])


def create_authorization_server(app: Flask) -> AuthorizationServer:
    """The authorization server with the grants and endpoints Alexa uses."""
    app.config["OAUTH2_SCOPES_SUPPORTED"] = list(SCOPES)
    server = AuthorizationServer(app, query_client=query_client, save_token=save_token)
    server.register_token_generator(
        "default",
        BearerTokenGenerator(
            access_token_generator=_new_token,
            refresh_token_generator=_new_token,
            expires_generator=_expires_in,
        ),
    )
    server.register_grant(AuthorizationCodeGrant, [PkceChallenge(), *oidc.code_extensions()])
    server.register_grant(ImplicitGrant)
    server.register_grant(RefreshTokenGrant)
    server.register_endpoint(TokenRevocationEndpoint)
    # RIDE_HAILER_ACCESS_TOKEN_FORMAT=jwt: RFC 9068 access tokens (oidc.py)
    oidc.configure_token_format(
        app, server, refresh_token_generator=_new_token, expires_generator=_expires_in
    )
    return server


def create_resource_protector() -> ResourceProtector:
    """The resource protector of the Ride Hailer API."""
    protector = ResourceProtector()
    protector.register_token_validator(AccessTokenValidator(realm="ride-hailer"))
    return protector
