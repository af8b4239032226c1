"""Account pages reached from the login page: sign-up and password recovery."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask, redirect, render_template, request, session, url_for
from flask_babel import gettext as _

from ..accounts import (
    complete_password_reset,
    normalize_email,
    find_reset,
    sign_up,
    start_password_reset,
)
from ..errors import InvalidName, SignUpThrottled
from ..forms import RecoverForm, ResetForm, SignupForm
from ..models import User, db
from ..security import new_secret, token_digest
from ..web import public_url
from .oauth import SIGN_IN_KEY, sign_in_for

bp = Blueprint("account", __name__, url_prefix="/account")

#: The only place these pages send a user back to: the linking flow that sent them.
NEXT_PREFIX = "/oauth/authorize?"

#: Session key: the linking flow a reset request of *this browser* returns to (never in the mail).
RESET_NEXT_KEY = "reset_next"


def safe_next() -> str | None:
    """The `next` parameter when it returns to an authorization request, else None."""
    value = request.args.get("next", "")
    if value.startswith(NEXT_PREFIX) and "\\" not in value and "\r" not in value and "\n" not in value:
        return value
    return None


@bp.route("/signup", methods=["GET", "POST"])
def signup() -> Any:
    """Create an account and continue the linking flow signed in.

    A taken email gets the same answer as a free one (it signs nobody in; its owner is
    mailed), so the form does not tell which emails have accounts.
    """
    form = SignupForm()
    next_url = safe_next()
    if form.validate_on_submit():
        try:
            user = sign_up(
                form.email.data or "",
                form.password.data or "",
                form.name.data or "",
                request.remote_addr or "",
                public_url(url_for("account.recover")),
            )
        except SignUpThrottled:
            form.email.errors = [_("Too many sign-ups. Wait a few minutes and try again.")]
        except InvalidName:
            form.name.errors = [_("Use letters, spaces and punctuation only, on one line.")]
        else:
            if user is not None:
                db.session.commit()
                if next_url:
                    sign_in_for(user.id, next_url)
            elif next_url:
                # the same cookie change as a sign-in, with a secret no sign-in record has
                session.clear()
                session[SIGN_IN_KEY] = new_secret()
            if next_url:
                return redirect(next_url)
            return render_template("message.html", message=_("Thank you. Sign in from the Alexa app to link your account."))
    return render_template("signup.html", form=form, next_url=next_url)


@bp.route("/recover", methods=["GET", "POST"])
def recover() -> Any:
    """Ask for a reset link; the answer is the same whether the account exists or not.

    The linking flow to return to stays in this browser's session, not in the mailed link:
    a stranger cannot send someone a reset link that ends on the stranger's request.
    """
    form = RecoverForm()
    next_url = safe_next()
    if form.validate_on_submit():
        start_password_reset(
            form.email.data or "",
            request.remote_addr or "",
            lambda secret: public_url(url_for("account.reset", secret=secret)),
        )
        if next_url:  # bound to this browser and to the account it asked for
            session[RESET_NEXT_KEY] = [next_url, token_digest(normalize_email(form.email.data or ""))]
        else:
            session.pop(RESET_NEXT_KEY, None)
        return render_template(
            "message.html",
            message=_("If a Ride Hailer account uses this email, we sent it a link to choose a new password. The link works once, for one hour."),
            back_url=next_url,
        )
    return render_template("recover.html", form=form, next_url=next_url)


def _reset_next(user: User) -> str | None:
    """The linking flow this browser asked a reset of this user's password from, if any."""
    stored = session.get(RESET_NEXT_KEY)
    if not (isinstance(stored, list) and len(stored) == 2 and stored[1] == token_digest(user.email)):
        return None
    value = stored[0]
    if isinstance(value, str) and value.startswith(NEXT_PREFIX) and not any(c in value for c in "\\\r\n"):
        return value
    return None


@bp.route("/reset/<secret>", methods=["GET", "POST"])
def reset(secret: str) -> Any:
    """Choose a new password with a one-time link; continue linking only in the browser that asked."""
    reset_row = find_reset(secret)
    if reset_row is None:
        db.session.rollback()
        return render_template(
            "message.html",
            message=_("This reset link has expired or was used already. Ask for a new one."),
            back_url=url_for("account.recover"),
        ), 400
    form = ResetForm()
    if form.validate_on_submit():
        user = complete_password_reset(reset_row, form.password.data or "")
        next_url = _reset_next(user)
        session.pop(RESET_NEXT_KEY, None)
        if next_url:
            sign_in_for(user.id, next_url)
            return redirect(next_url)
        return render_template("message.html", message=_("Your new password is set."))
    db.session.rollback()
    return render_template("reset.html", form=form, next_url=None)


def init_app(app: Flask) -> None:
    """Register the account pages."""
    app.register_blueprint(bp)
