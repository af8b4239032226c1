"""Authorization endpoint (login + consent pages), token, revocation and metadata."""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from authlib.common.urls import add_params_to_uri
from authlib.integrations.flask_oauth2 import AuthorizationServer
from authlib.oauth2 import OAuth2Error
from authlib.oauth2 import rfc9207
from authlib.oauth2.rfc8414 import AuthorizationServerMetadata
from flask import (
    Blueprint,
    Flask,
    Response,
    current_app,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import select, update

from ..accounts import authenticate
from ..errors import BadCredentials, LoginThrottled
from ..config import SCOPES
from ..db import start_read_phase
from ..forms import ConsentForm, LoginForm
from ..models import SignIn, User, db, utcnow
from ..security import new_secret, token_digest
from ..oauth import CLIENT_AUTH_METHODS, PKCE_METHOD, create_authorization_server
from ..web import html_error, json_error, public_url

log = logging.getLogger(__name__)

bp = Blueprint("oauth", __name__)

SERVER_EXTENSION = "ride_hailer.authorization_server"

#: Session key holding the secret of the browser's server-side sign-in record.
SIGN_IN_KEY = "sign_in"

#: What each scope lets the skill do, shown on the login and consent pages (seed:
#: "The login page should tell users what access they are allowing").
SCOPE_DESCRIPTIONS = {
    "profile": _l("See your name and email address."),
    "rides:read": _l("See the status of your current ride."),
    "rides:write": _l("Order and cancel rides on your behalf and charge your account for them."),
}

#: Request parameters that must appear exactly once (RFC 6749 section 3.1).
SINGLE_PARAMETERS = ("response_type", "client_id", "redirect_uri", "scope", "state")


def server() -> AuthorizationServer:
    """The app's authorization server."""
    return current_app.extensions[SERVER_EXTENSION]


def _request_digest(items: list[tuple[str, str]]) -> str:
    """Digest of an authorization request's parameters (order and encoding do not matter)."""
    return hashlib.sha256(json.dumps(sorted(items)).encode()).hexdigest()


def sign_in_for(user_id: int, authorize_path: str) -> None:
    """Sign the user in for this one authorization request (`/oauth/authorize?...`) only.

    A shared web view (the Alexa app) must not show the next, unrelated linking flow as
    already signed in: the sign-in is a server-side record (`sign_ins`) bound to a digest of
    the request's parameters, lasting LOGIN_SESSION_LIFETIME seconds; the session cookie
    holds only its random secret. The consent decision consumes it, a password reset and
    sign-out end it, so a copy of the cookie opens nothing afterwards. Commits.
    """
    start_sign_in(user_id, parse_qsl(urlsplit(authorize_path).query, keep_blank_values=True))


def start_sign_in(user_id: int, items: list[tuple[str, str]]) -> None:
    """Record a sign-in bound to these request parameters; the session holds its secret. Commits."""
    sign_out()
    secret = new_secret()
    lifetime = dt.timedelta(seconds=int(current_app.config["LOGIN_SESSION_LIFETIME"]))
    db.session.add(
        SignIn(
            secret_digest=token_digest(secret),
            user_id=user_id,
            request_digest=_request_digest(items),
            expires_at=utcnow() + lifetime,
        )
    )
    db.session.commit()
    session.clear()
    session[SIGN_IN_KEY] = secret


def _sign_in_record() -> SignIn | None:
    """The live sign-in whose secret this browser's session holds, if any."""
    secret = session.get(SIGN_IN_KEY)
    if not isinstance(secret, str) or not secret:
        return None
    record = db.session.execute(
        select(SignIn).where(SignIn.secret_digest == token_digest(secret))
    ).scalar_one_or_none()
    if record is None or record.ended_at is not None or utcnow() >= record.expires_at:
        return None
    return record


def sign_out() -> None:
    """End the sign-in of the linking flow, server-side too (commits when there was one)."""
    secret = session.pop(SIGN_IN_KEY, None)
    if isinstance(secret, str) and secret:
        db.session.execute(
            update(SignIn)
            .where(SignIn.secret_digest == token_digest(secret), SignIn.ended_at.is_(None))
            .values(ended_at=utcnow())
        )
        db.session.commit()


def consume_sign_in(record: SignIn) -> bool:
    """End the sign-in for the consent decision; False when another request ended it first."""
    ended = db.session.execute(
        update(SignIn)
        .where(SignIn.id == record.id, SignIn.ended_at.is_(None))
        .values(ended_at=utcnow())
    )
    return ended.rowcount == 1


def current_sign_in(items: list[tuple[str, str]] | None = None) -> tuple[SignIn, User] | None:
    """The sign-in made for this very request (default: this authorization request's
    parameters), recently, and its user; else None (and any other sign-in ends)."""
    record = _sign_in_record()
    if items is None:
        items = list(request.args.items(multi=True))
    same_request = record is not None and record.request_digest == _request_digest(items)
    user = db.session.get(User, record.user_id) if record is not None and same_request else None
    if record is None or user is None:
        if SIGN_IN_KEY in session:
            sign_out()  # another linking flow, too old, consumed or revoked: ask for the password
        return None
    return record, user


def authorize_url() -> str:
    """This authorization request's URL (path and original query string)."""
    query = request.query_string.decode("ascii", "replace")
    return url_for("oauth.authorize") + ("?" + query if query else "")


def with_issuer(response: Response) -> Response:
    """RFC 9207: name the issuer (`iss`) in every authorization response, errors included,
    next to the other parameters (query for the code flow, fragment for the implicit grant).

    Authlib's `rfc9207.IssuerParameter` cannot do it here: it always writes the query, and its
    server-level hook is not run by Authlib 1.9.
    """
    location = response.headers.get("Location")
    if location and response.status_code in (301, 302, 303, 307):
        response.headers["Location"] = add_params_to_uri(location, {"iss": public_url("")}, fragment="#" in location)
    return response


def _authorization_error(error: OAuth2Error, reason: str = "") -> Any:
    """Redirect only to a validated redirect URI; otherwise an HTML page.

    Either way the log says why (error code and description, never the query's values:
    the state and redirect URI stay out of logs), so a developer whose link "cannot
    continue" can read the reason in the service log.
    """
    log.warning("refused an authorization request: %s%s%s",
                error.error or "invalid_request",
                f" ({error.description})" if error.description else "",
                f": {reason}" if reason else "")
    if error.redirect_uri:
        return with_issuer(server().handle_error_response(None, error))
    return html_error(
        error.status_code if error.status_code and error.status_code < 500 else 400,
        _("This sign-in link is not valid. Start linking again from the Alexa app."),
    )


@bp.route("/oauth/authorize", methods=["GET", "POST"])
def authorize() -> Any:
    """Login page, then consent page, then the redirect to Alexa with code or token."""
    signed_in = current_sign_in()
    user = signed_in[1] if signed_in else None
    for name in SINGLE_PARAMETERS:
        if len(request.args.getlist(name)) > 1 or name in request.form:
            return _authorization_error(OAuth2Error(), f"{name} sent more than once, or in the body")
    try:
        grant = server().get_consent_grant(end_user=user)
    except OAuth2Error as error:
        return _authorization_error(error)
    except ValueError:
        return _authorization_error(OAuth2Error(), "malformed parameters")
    if not request.args.get("state"):
        return _authorization_error(OAuth2Error(), "no state parameter (Alexa always sends one)")

    # exactly the scopes the code (or implicit token) will carry
    scopes = [
        s for s in grant.client.get_allowed_scope(grant.request.payload.scope).split() if s in SCOPE_DESCRIPTIONS
    ]
    context = {
        "client": grant.client,
        "scopes": [SCOPE_DESCRIPTIONS[s] for s in scopes],
        "action_url": authorize_url(),
        "signup_url": url_for("account.signup", next=authorize_url()),
        "recover_url": url_for("account.recover", next=authorize_url()),
    }

    if signed_in is not None and request.method == "POST" and "decision" in request.form:
        if ConsentForm().validate_on_submit():
            allowed = request.form.get("decision") == "allow"
            # one decision per sign-in, even for racing copies of the cookie
            if consume_sign_in(signed_in[0]):
                try:
                    response = server().create_authorization_response(
                        grant_user=user if allowed else None, grant=grant
                    )
                except ValueError:
                    db.session.rollback()
                    return _authorization_error(OAuth2Error())
                db.session.commit()
                session.pop(SIGN_IN_KEY, None)
                return with_issuer(response)
            db.session.rollback()
            session.pop(SIGN_IN_KEY, None)
            user = None

    form = LoginForm()
    if request.method == "POST" and "password" in request.form:
        if form.validate_on_submit():
            try:
                signed_in = authenticate(
                    form.email.data or "", form.password.data or "", request.remote_addr or ""
                )
            except LoginThrottled:
                form.password.errors = [
                    _("Too many failed sign-ins. Wait a few minutes and try again.")
                ]
            except BadCredentials:
                form.password.errors = [
                    _("The email or password is not correct. Use your Ride Hailer account, not your Amazon account.")
                ]
            else:
                sign_in_for(signed_in.id, authorize_url())
                return redirect(authorize_url())
        return render_template("login.html", form=form, **context), 200

    if user is not None:
        return render_template("consent.html", form=ConsentForm(), user=user, **context)
    return render_template("login.html", form=form, **context)


def uses_two_client_auth_methods() -> bool:
    """HTTP Basic and a body client_secret at once (RFC 6749 section 2.3.1 forbids it)."""
    basic = request.headers.get("Authorization", "").strip().lower().startswith("basic ")
    return basic and "client_secret" in request.form


TWO_METHODS_DESCRIPTION = (
    "Authenticate the client with one method only: HTTP Basic or client_secret in the body."
)


@bp.route("/oauth/token", methods=["POST"])
def issue_token() -> Response:
    """Code exchange and refresh (client_secret_basic or client_secret_post)."""
    if uses_two_client_auth_methods():
        return json_error(400, "invalid_request", TWO_METHODS_DESCRIPTION)
    # Client authentication and the credential lookup only read: on SQLite they run outside
    # the write lock; the grant takes it (end_read_phase) before it re-reads what it changes.
    start_read_phase()
    try:
        response = server().create_token_response()
    except ValueError:
        db.session.rollback()
        return json_error(400, "invalid_request", "The request is malformed.")
    db.session.commit()  # issued tokens, or revocations caused by a replayed credential
    return response


@bp.route("/oauth/revoke", methods=["POST"])
def revoke_token() -> Response:
    """RFC 7009 token revocation."""
    if uses_two_client_auth_methods():
        return json_error(400, "invalid_request", TWO_METHODS_DESCRIPTION)
    try:
        response = server().create_endpoint_response("revocation")
    except ValueError:
        db.session.rollback()
        return json_error(400, "invalid_request", "The request is malformed.")
    db.session.commit()
    return response


@bp.route("/.well-known/oauth-authorization-server")
def metadata() -> Response:
    """RFC 8414 authorization server metadata."""
    issuer = public_url("")
    data = AuthorizationServerMetadata(
        {
            "issuer": issuer,
            "authorization_endpoint": public_url(url_for("oauth.authorize")),
            "token_endpoint": public_url(url_for("oauth.issue_token")),
            "revocation_endpoint": public_url(url_for("oauth.revoke_token")),
            "scopes_supported": list(SCOPES),
            "response_types_supported": ["code", "token"],
            "grant_types_supported": ["authorization_code", "implicit", "refresh_token"],
            "token_endpoint_auth_methods_supported": list(CLIENT_AUTH_METHODS),
            "revocation_endpoint_auth_methods_supported": list(CLIENT_AUTH_METHODS),
            "code_challenge_methods_supported": [PKCE_METHOD],
            "authorization_response_iss_parameter_supported": True,
        }
    )
    from .. import oidc  # jwks_uri, userinfo_endpoint (OpenID Connect, JWT access tokens)

    data.update(oidc.server_metadata())
    if issuer.startswith("https://"):
        # RFC 8414 demands an https issuer; loopback demo runs on http
        data.validate(metadata_classes=[rfc9207.AuthorizationServerMetadata])
    return jsonify(dict(data))


def init_app(app: Flask, csrf: CSRFProtect) -> None:
    """Create the authorization server and register the blueprint."""
    app.extensions[SERVER_EXTENSION] = create_authorization_server(app)
    csrf.exempt(issue_token)
    csrf.exempt(revoke_token)
    app.register_blueprint(bp)
