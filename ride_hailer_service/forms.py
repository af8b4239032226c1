"""Flask-WTF forms (CSRF on every one) of the login, consent, sign-up and recovery pages."""
from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, StringField
from wtforms.validators import DataRequired, Length, Regexp, ValidationError

#: Longest password accepted anywhere (sign-up, reset, login).
MAX_PASSWORD_LENGTH = 200

#: Deliberately loose: one @, something on each side, a dot in the domain.
EMAIL_PATTERN = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"


def _normalize_email(value: Any) -> Any:
    return value.strip().lower() if isinstance(value, str) else value


def _strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


def _email_field() -> EmailField:
    return EmailField(
        _l("Ride Hailer email"),
        filters=[_normalize_email],
        validators=[
            DataRequired(message=_l("Enter the email of your Ride Hailer account.")),
            Length(max=254),
            Regexp(EMAIL_PATTERN, message=_l("Enter an email address like name@example.com.")),
        ],
    )


class LoginForm(FlaskForm):
    """Email and password of a Ride Hailer account."""

    email = _email_field()
    password = PasswordField(
        _l("Password"),
        validators=[
            DataRequired(message=_l("Enter your password.")),
            # no argon2 work on huge inputs; no account has a longer password (sign-up caps it)
            Length(max=MAX_PASSWORD_LENGTH, message=_l("The email or password is not correct. Use your Ride Hailer account, not your Amazon account.")),
        ],
    )


class ConsentForm(FlaskForm):
    """Allow or deny the skill's access; the submit button (name="decision") carries it."""


def _plain_name(form: Any, field: Any) -> None:
    """No control or line-break characters (a name goes into mail), at most 100 characters."""
    from .accounts import MAX_NAME_LENGTH, check_name
    from .errors import InvalidName

    if len(field.data or "") > MAX_NAME_LENGTH:
        raise ValidationError(_l("Use at most 100 characters."))
    try:
        check_name(field.data or "")
    except InvalidName:
        raise ValidationError(_l("Use letters, spaces and punctuation only, on one line.")) from None


class SignupForm(FlaskForm):
    """A new Ride Hailer account."""

    name = StringField(
        _l("Your name"),
        filters=[_strip],
        validators=[DataRequired(message=_l("Enter your name.")), _plain_name],
    )
    email = _email_field()
    password = PasswordField(
        _l("Choose a password"),
        validators=[Length(min=8, max=MAX_PASSWORD_LENGTH, message=_l("Use at least 8 characters."))],
    )


class RecoverForm(FlaskForm):
    """The email to send a reset link to."""

    email = _email_field()


class ResetForm(FlaskForm):
    """A new password."""

    password = PasswordField(
        _l("New password"),
        validators=[Length(min=8, max=MAX_PASSWORD_LENGTH, message=_l("Use at least 8 characters."))],
    )
