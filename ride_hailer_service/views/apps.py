"""The "connected apps" page: what is linked to the account, and a button that unlinks it."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import func, select, update

from ..accounts import authenticate
from ..errors import BadCredentials, LoginThrottled
from ..forms import ConsentForm, LoginForm
from ..models import Client, Token, User, db, utcnow
from ..oauth import revoke_family
from .oauth import current_sign_in, sign_out, start_sign_in

bp = Blueprint("apps", __name__, url_prefix="/account")

#: The "request" a sign-in to this page is bound to (never valid at /oauth/authorize).
APPS_REQUEST = [("page", "connected-apps")]


def linked_apps(user: User) -> list[dict[str, Any]]:
    """Every client holding a live token of the user, with the time it last got a token."""
    rows = db.session.execute(
        select(Client.client_id, Client.name, func.max(Token.issued_at))
        .join(Token, Token.client_id == Client.client_id)
        .where(Token.user_id == user.id, Token.revoked_at.is_(None))
        .group_by(Client.client_id, Client.name)
        .order_by(Client.name)
    ).all()
    return [{"client_id": cid, "name": name, "last_used": last} for cid, name, last in rows]


def disconnect(user: User, client_id: str) -> None:
    """Revoke every link (token family) of this client for the user, as RFC 7009 revocation does."""
    families = db.session.execute(
        select(Token.family_id)
        .where(Token.user_id == user.id, Token.client_id == client_id, Token.revoked_at.is_(None))
        .distinct()
    ).scalars().all()
    for family_id in families:
        if family_id is not None:
            revoke_family(family_id, "disconnected on the connected apps page")
    db.session.execute(
        update(Token)
        .where(Token.user_id == user.id, Token.client_id == client_id, Token.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )
    db.session.commit()


@bp.route("/apps", methods=["GET", "POST"])
def connected_apps() -> Any:
    """Sign in, then list the linked apps with a Disconnect button each, and Sign out."""
    signed_in = current_sign_in(APPS_REQUEST)
    if signed_in is None:
        form = LoginForm()
        if request.method == "POST" and form.validate_on_submit():
            try:
                user = authenticate(form.email.data or "", form.password.data or "", request.remote_addr or "")
            except LoginThrottled:
                form.password.errors = [_("Too many failed sign-ins. Wait a few minutes and try again.")]
            except BadCredentials:
                form.password.errors = [
                    _("The email or password is not correct. Use your Ride Hailer account, not your Amazon account.")
                ]
            else:
                start_sign_in(user.id, APPS_REQUEST)
                return redirect(url_for("apps.connected_apps"))
        return render_template("apps_login.html", form=form), 200
    user = signed_in[1]
    form = ConsentForm()
    notice = None
    if request.method == "POST" and form.validate_on_submit():
        if "sign_out" in request.form:
            sign_out()
            return render_template("apps_login.html", form=LoginForm(formdata=None))
        client_id = request.form.get("disconnect", "")
        app_row = next((a for a in linked_apps(user) if a["client_id"] == client_id), None)
        if app_row is not None:
            disconnect(user, client_id)
            notice = _("%(client)s can no longer use your account.", client=app_row["name"])
    return render_template("apps.html", user=user, apps=linked_apps(user), form=form, notice=notice)


def init_app(app: Flask) -> None:
    """Register the connected apps page."""
    app.register_blueprint(bp)
