"""Accounts: sign-in with throttling, sign-up, password reset links and the mail outbox."""
from __future__ import annotations

import datetime as dt
import logging
import smtplib
from collections.abc import Callable
from email.message import EmailMessage

from flask import current_app
from sqlalchemy import delete, func, select

from .errors import BadCredentials, EmailTaken, LoginThrottled
from .models import LoginAttempt, OutboxMail, PasswordReset, User, db, utcnow
from .security import PasswordHashing, new_secret, token_digest

log = logging.getLogger(__name__)

PASSWORDS_EXTENSION = "ride_hailer.passwords"


def normalize_email(email: str) -> str:
    """Trimmed, lower-cased email (catches trailing spaces and capitalisation)."""
    return email.strip().lower()


def passwords() -> PasswordHashing:
    """The app's password hashing (created once per app; holds the dummy hash)."""
    hashing = current_app.extensions.get(PASSWORDS_EXTENSION)
    if hashing is None:
        hashing = current_app.extensions[PASSWORDS_EXTENSION] = PasswordHashing()
    return hashing


def find_user(email: str) -> User | None:
    """The account with this email, if any."""
    return db.session.execute(
        select(User).where(User.email == normalize_email(email))
    ).scalar_one_or_none()


def register_user(email: str, password: str, name: str) -> User:
    """Create an account; raise EmailTaken when the email is in use."""
    email = normalize_email(email)
    if find_user(email) is not None:
        raise EmailTaken(email)
    user = User(email=email, name=name.strip(), password_hash=passwords().hash(password))
    db.session.add(user)
    db.session.flush()
    return user


def _throttle_keys(email: str, address: str) -> tuple[str, str]:
    return ("account:" + token_digest(normalize_email(email))[:40], "address:" + address[:80])


def _failures(key: str, since: dt.datetime) -> int:
    return int(
        db.session.execute(
            select(func.count(LoginAttempt.id)).where(
                LoginAttempt.key == key, LoginAttempt.created_at >= since
            )
        ).scalar_one()
    )


def authenticate(email: str, password: str, address: str) -> User:
    """Check credentials; raise LoginThrottled or BadCredentials. Commits the attempt."""
    config = current_app.config
    account_key, address_key = _throttle_keys(email, address)
    since = utcnow() - dt.timedelta(seconds=int(config["LOGIN_THROTTLE_WINDOW"]))
    if (
        _failures(account_key, since) >= int(config["LOGIN_THROTTLE_PER_ACCOUNT"])
        or _failures(address_key, since) >= int(config["LOGIN_THROTTLE_PER_ADDRESS"])
    ):
        raise LoginThrottled()
    user = find_user(email)
    # verify against a dummy hash when there is no account: same time, no enumeration
    if not passwords().verify(user.password_hash if user else None, password) or user is None:
        db.session.add_all([LoginAttempt(key=account_key), LoginAttempt(key=address_key)])
        db.session.commit()
        raise BadCredentials()
    if passwords().needs_rehash(user.password_hash):
        user.password_hash = passwords().hash(password)
    db.session.execute(delete(LoginAttempt).where(LoginAttempt.key == account_key))
    db.session.commit()
    return user


def start_password_reset(email: str, address: str, link_for: Callable[[str], str]) -> None:
    """Mail a one-time reset link when the account exists; do the same work either way.

    Requests are throttled per client address (silently: the page answers the same) so the
    form cannot be used to flood someone's mailbox.
    """
    config = current_app.config
    key = "recover:" + address[:80]
    since = utcnow() - dt.timedelta(seconds=int(config["LOGIN_THROTTLE_WINDOW"]))
    throttled = _failures(key, since) >= int(config["RECOVERY_THROTTLE_PER_ADDRESS"])
    db.session.add(LoginAttempt(key=key))
    db.session.commit()
    user = None if throttled else find_user(email)
    secret = new_secret()
    # The same argon2 work whether or not the account exists: without it an unknown email
    # answered 2.5 times slower than a known one (found by tests/reliability_service).
    passwords().verify(None, secret)
    if user is None:
        return
    lifetime = dt.timedelta(seconds=int(current_app.config["PASSWORD_RESET_LIFETIME"]))
    db.session.add(
        PasswordReset(token_digest=token_digest(secret), user_id=user.id, expires_at=utcnow() + lifetime)
    )
    body = (
        f"Hello {user.name},\n\n"
        "Someone asked to reset the password of your Ride Hailer account.\n"
        f"Open this link within {lifetime.seconds // 60} minutes to choose a new password:\n\n"
        f"{link_for(secret)}\n\n"
        "If it was not you, ignore this mail; your password stays the same.\n"
    )
    queue_mail(user.email, "Reset your Ride Hailer password", body)
    db.session.commit()
    deliver_outbox()


def find_reset(secret: str) -> PasswordReset | None:
    """The unused, unexpired reset for this secret."""
    reset = db.session.execute(
        select(PasswordReset).where(PasswordReset.token_digest == token_digest(secret)).with_for_update()
    ).scalar_one_or_none()
    if reset is None or reset.used_at is not None or utcnow() >= reset.expires_at:
        return None
    return reset


def complete_password_reset(reset: PasswordReset, password: str) -> User:
    """Set the new password and spend the link."""
    user = db.session.get(User, reset.user_id)
    assert user is not None
    user.password_hash = passwords().hash(password)
    reset.used_at = utcnow()
    db.session.commit()
    return user


def queue_mail(recipient: str, subject: str, body: str) -> OutboxMail:
    """Store a mail in the outbox (the caller commits)."""
    mail = OutboxMail(recipient=recipient, subject=subject, body=body)
    db.session.add(mail)
    return mail


def deliver_outbox() -> None:
    """Send unsent outbox mail by SMTP when configured; otherwise log that it waits."""
    config = current_app.config
    pending = db.session.execute(select(OutboxMail).where(OutboxMail.sent_at.is_(None))).scalars().all()
    for mail in pending:
        if not config["SMTP_HOST"]:
            log.info("mail %s queued in the outbox (no SMTP configured)", mail.id)
            continue
        message = EmailMessage()
        message["From"] = config["MAIL_FROM"]
        message["To"] = mail.recipient
        message["Subject"] = mail.subject
        message.set_content(mail.body)
        try:
            with smtplib.SMTP(config["SMTP_HOST"], int(config["SMTP_PORT"]), timeout=10) as smtp:
                if config["SMTP_STARTTLS"]:
                    smtp.starttls()
                if config["SMTP_USERNAME"]:
                    smtp.login(config["SMTP_USERNAME"], config["SMTP_PASSWORD"] or "")
                smtp.send_message(message)
            mail.sent_at = utcnow()
            log.info("mail %s sent", mail.id)
        except (OSError, smtplib.SMTPException) as error:
            mail.last_error = type(error).__name__
            log.warning("mail %s stays in the outbox: %s", mail.id, type(error).__name__)
    db.session.commit()
