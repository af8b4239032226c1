"""Account pages reached from the login page: sign-up and password recovery."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask, redirect, render_template, request, url_for
from flask_babel import gettext as _

from ..accounts import (
    EmailTaken,
    complete_password_reset,
    find_reset,
    register_user,
    start_password_reset,
)
from ..forms import RecoverForm, ResetForm, SignupForm
from ..models import db
from ..web import public_url
from .oauth import sign_in_for

bp = Blueprint("account", __name__, url_prefix="/account")

#: The only place these pages send a user back to: the linking flow that sent them.
NEXT_PREFIX = "/oauth/authorize?"


def safe_next() -> str | None:
    """The `next` parameter when it returns to an authorization request, else None."""
    value = request.args.get("next", "")
    if value.startswith(NEXT_PREFIX) and "\\" not in value and "\r" not in value and "\n" not in value:
        return value
    return None


@bp.route("/signup", methods=["GET", "POST"])
def signup() -> Any:
    """Create an account and continue the linking flow signed in."""
    form = SignupForm()
    next_url = safe_next()
    if form.validate_on_submit():
        try:
            user = register_user(form.email.data or "", form.password.data or "", form.name.data or "")
        except EmailTaken:
            form.email.errors = [
                _("An account with this email exists. Sign in or reset your password instead.")
            ]
        else:
            db.session.commit()
            if next_url:
                sign_in_for(user.id, next_url)
                return redirect(next_url)
            return render_template("message.html", message=_("Your account is ready."))
    return render_template("signup.html", form=form, next_url=next_url)


@bp.route("/recover", methods=["GET", "POST"])
def recover() -> Any:
    """Ask for a reset link; the answer is the same whether the account exists or not."""
    form = RecoverForm()
    next_url = safe_next()
    if form.validate_on_submit():
        start_password_reset(
            form.email.data or "",
            request.remote_addr or "",
            lambda secret: public_url(url_for("account.reset", secret=secret, next=next_url)),
        )
        return render_template(
            "message.html",
            message=_("If a Ride Hailer account uses this email, we sent it a link to choose a new password. The link works once, for one hour."),
            back_url=next_url,
        )
    return render_template("recover.html", form=form, next_url=next_url)


@bp.route("/reset/<secret>", methods=["GET", "POST"])
def reset(secret: str) -> Any:
    """Choose a new password with a one-time link, then continue linking signed in."""
    next_url = safe_next()
    reset_row = find_reset(secret)
    if reset_row is None:
        db.session.rollback()
        return render_template(
            "message.html",
            message=_("This reset link has expired or was used already. Ask for a new one."),
            back_url=url_for("account.recover", next=next_url),
        ), 400
    form = ResetForm()
    if form.validate_on_submit():
        user = complete_password_reset(reset_row, form.password.data or "")
        if next_url:
            sign_in_for(user.id, next_url)
            return redirect(next_url)
        return render_template("message.html", message=_("Your new password is set."))
    db.session.rollback()
    return render_template("reset.html", form=form, next_url=next_url)


def init_app(app: Flask) -> None:
    """Register the account pages."""
    app.register_blueprint(bp)
