"""Accounts: sign-in with throttling, sign-up and password reset links."""
from __future__ import annotations

import datetime as dt
import logging
import unicodedata
from collections.abc import Callable

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import delete, func, select, update

from .errors import BadCredentials, EmailTaken, InvalidName, LoginThrottled, SignUpThrottled
from .mail import queue_mail, wake_sender
from .models import LoginAttempt, PasswordReset, SignIn, Token, User, db, utcnow
from .oauth import revoke_family
from .security import PasswordHashing, new_secret, token_digest

log = logging.getLogger(__name__)

PASSWORDS_EXTENSION = "ride_hailer.passwords"

#: Throttle key prefix of failed sign-ins per (account, client address).
PAIR_KEY_PREFIX = "acct-addr:"

#: Longest account name (it is written into mail and pages).
MAX_NAME_LENGTH = 100

#: Unicode categories no name may hold: controls (line breaks included), line and
#: paragraph separators, surrogates, private use, unassigned.
FORBIDDEN_NAME_CATEGORIES = frozenset({"Cc", "Zl", "Zp", "Cs", "Co", "Cn"})

#: Bidirectional embedding/override/isolate controls (they reorder the text around a name).
BIDI_CONTROLS = frozenset(chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A), 0x200E, 0x200F, 0x061C))


def check_name(name: str) -> str:
    """The trimmed name; raise InvalidName for control characters, empty or over-long names."""
    name = name.strip()
    if not name or len(name) > MAX_NAME_LENGTH:
        raise InvalidName(f"a name is 1 to {MAX_NAME_LENGTH} characters")
    if any(unicodedata.category(ch) in FORBIDDEN_NAME_CATEGORIES or ch in BIDI_CONTROLS for ch in name):
        raise InvalidName("a name must not contain control or line-break characters")
    return name


def mail_safe(text: str) -> str:
    """A stored value made safe to write into one line of a mail (older rows were not checked)."""
    cleaned = "".join(
        " " if unicodedata.category(ch) in FORBIDDEN_NAME_CATEGORIES or ch in BIDI_CONTROLS else ch
        for ch in text
    )
    return " ".join(cleaned.split())[:MAX_NAME_LENGTH]


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
    """Create an account; raise EmailTaken when the email is in use.

    The argon2 hash is made before the first query, so no transaction (on SQLite: the write
    lock) is held while it runs.
    """
    email = normalize_email(email)
    name = check_name(name)
    password_hash = passwords().hash(password)
    if find_user(email) is not None:
        raise EmailTaken(email)
    user = User(email=email, name=name, password_hash=password_hash)
    db.session.add(user)
    db.session.flush()
    return user


def sign_up(
    email: str, password: str, name: str, address: str, recover_link: str
) -> User | None:
    """Create an account, or, when the email is taken, mail its owner; the caller answers alike.

    Throttled per email and per client address *before* any argon2 work (SignUpThrottled),
    with the same record-then-count pattern as `authenticate`. The password is hashed on
    both paths (same work whether the email is free or taken). A taken email signs nobody
    in and changes nothing: its owner gets a mail with a plain recovery link (never the
    requester's `next`). Returns the new user (not committed), or None for a taken email
    (the mail is committed).
    """
    config = current_app.config
    email = normalize_email(email)
    name = check_name(name)
    window = dt.timedelta(seconds=int(config["LOGIN_THROTTLE_WINDOW"]))
    keys = ("signup-email:" + token_digest(email)[:40], "signup-address:" + address[:80])
    limits = (int(config["SIGNUP_THROTTLE_PER_EMAIL"]), int(config["SIGNUP_THROTTLE_PER_ADDRESS"]))
    db.session.commit()
    attempts = [LoginAttempt(key=key) for key in keys]
    db.session.add_all(attempts)
    db.session.flush()
    attempt_ids = [attempt.id for attempt in attempts]
    db.session.commit()
    since = utcnow() - window
    if any(_failures(key, since) > limit for key, limit in zip(keys, limits)):
        db.session.execute(delete(LoginAttempt).where(LoginAttempt.id.in_(attempt_ids)))
        db.session.commit()
        raise SignUpThrottled()
    db.session.commit()  # argon2 (in register_user) runs with no transaction open
    try:
        return register_user(email, password, name)
    except EmailTaken:
        db.session.rollback()
    owner = find_user(email)
    if owner is not None:
        subject, body = _account_exists_mail(recover_link)
        queue_mail(owner.email, subject, body)
    db.session.commit()
    wake_sender()
    return None


def _account_exists_mail(recover_link: str) -> tuple[str, str]:
    """Subject and body of the mail to the owner of an email someone tried to sign up with."""
    body = "\n".join(
        (
            _("Hello,"),
            "",
            _("Someone tried to create a Ride Hailer account with this email address. It already has an account, so nothing was changed."),
            _("If it was you, sign in with your existing account. If you forgot its password, choose a new one here:"),
            "",
            recover_link,
            "",
            _("If it was not you, ignore this mail."),
            "",
        )
    )
    return _("Your Ride Hailer account"), body


def _throttle_keys(email: str, address: str) -> tuple[str, str, str]:
    """Keys of the sign-in throttle: (account, client address), account, client address."""
    account = token_digest(normalize_email(email))[:40]
    return (
        PAIR_KEY_PREFIX + account + ":" + token_digest(address)[:40],
        "account:" + account,
        "address:" + address[:80],
    )


def _failures(key: str, since: dt.datetime) -> int:
    return int(
        db.session.execute(
            select(func.count(LoginAttempt.id)).where(
                LoginAttempt.key == key, LoginAttempt.created_at >= since
            )
        ).scalar_one()
    )


def authenticate(email: str, password: str, address: str) -> User:
    """Check credentials; raise LoginThrottled or BadCredentials.

    Three throttles: per (account, client address) first (LOGIN_THROTTLE_PER_ACCOUNT_ADDRESS,
    so a stranger elsewhere cannot lock the owner out), per account far higher (against
    guessing from many addresses) and per client address.
    Atomic throttle: the attempt is recorded (one row per key) and
    committed *before* counting, so of N concurrent attempts the k-th to commit counts at
    least k rows; only attempts that see at most the limit (their own row included) get
    their password checked, whatever the workers, threads or database. A refused attempt
    deletes its rows again (it checked nothing); a failed one leaves them as the failure
    record; a successful one deletes its own rows and the account's failures.
    """
    config = current_app.config
    keys = _throttle_keys(email, address)
    pair_key, account_key, address_key = keys
    limits = (
        int(config["LOGIN_THROTTLE_PER_ACCOUNT_ADDRESS"]),
        int(config["LOGIN_THROTTLE_PER_ACCOUNT"]),
        int(config["LOGIN_THROTTLE_PER_ADDRESS"]),
    )
    window = dt.timedelta(seconds=int(config["LOGIN_THROTTLE_WINDOW"]))
    db.session.commit()  # end the request's read transaction before queueing for writes
    attempts = [LoginAttempt(key=key) for key in keys]
    db.session.add_all(attempts)
    db.session.flush()
    attempt_ids = [attempt.id for attempt in attempts]  # read before commit expires them
    db.session.commit()
    since = utcnow() - window
    if any(_failures(key, since) > limit for key, limit in zip(keys, limits)):
        db.session.execute(delete(LoginAttempt).where(LoginAttempt.id.in_(attempt_ids)))
        db.session.commit()
        raise LoginThrottled()
    user = find_user(email)
    user_id, password_hash = (user.id, user.password_hash) if user else (None, None)
    db.session.commit()
    # argon2 runs with no transaction open (no SQLite write lock, no row lock held);
    # an unknown email is verified against a dummy hash: same work, no enumeration
    if not passwords().verify(password_hash, password) or user_id is None:
        raise BadCredentials()  # the pre-recorded rows are the failure record
    assert password_hash is not None
    new_hash = passwords().hash(password) if passwords().needs_rehash(password_hash) else None
    db.session.execute(
        delete(LoginAttempt).where(
            LoginAttempt.key.in_((account_key, pair_key)) | LoginAttempt.id.in_(attempt_ids)
        )
    )
    user = db.session.get(User, user_id)
    if user is None:  # deleted while we verified
        db.session.commit()
        raise BadCredentials()
    if new_hash is not None and user.password_hash == password_hash:
        user.password_hash = new_hash
    db.session.commit()
    return user


def start_password_reset(email: str, address: str, link_for: Callable[[str], str]) -> None:
    """Queue a one-time reset link mail when the account exists; do the same work either way.

    Both paths count and record the throttle row, look the email up, make a secret, build
    the mail, commit and wake the sender; only a known email adds the two inserts
    (password_resets, outbox_mail). No argon2 and no SMTP on either path (`flask
    send-outbox` or the sender thread delivers), so the answer's timing does not tell
    whether the email has an account. Requests are throttled per client address (silently: the page answers
    the same) so the form cannot be used to flood someone's mailbox.
    """
    config = current_app.config
    key = "recover:" + address[:80]
    since = utcnow() - dt.timedelta(seconds=int(config["LOGIN_THROTTLE_WINDOW"]))
    throttled = _failures(key, since) >= int(config["RECOVERY_THROTTLE_PER_ADDRESS"])
    db.session.add(LoginAttempt(key=key))
    user = None if throttled else find_user(email)
    secret = new_secret()
    lifetime = dt.timedelta(seconds=int(config["PASSWORD_RESET_LIFETIME"]))
    subject, body = _reset_mail(mail_safe(user.name) if user else "", lifetime, link_for(secret))
    if user is not None:
        db.session.add(
            PasswordReset(token_digest=token_digest(secret), user_id=user.id, expires_at=utcnow() + lifetime)
        )
        mail = queue_mail(user.email, subject, body)
        db.session.flush()
        log.info("mail %s queued in the outbox", mail.id)
    db.session.commit()
    wake_sender()  # on both paths: another thread sends (or finds nothing); this request returns


def _reset_mail(name: str, lifetime: dt.timedelta, link: str) -> tuple[str, str]:
    """Subject and body of the reset mail, in the language of the request asking for it."""
    minutes = int(lifetime.total_seconds()) // 60
    body = "\n".join(
        (
            _("Hello %(name)s,", name=name),
            "",
            _("Someone asked to reset the password of your Ride Hailer account."),
            _("Open this link within %(minutes)s minutes to choose a new password:", minutes=minutes),
            "",
            link,
            "",
            _("If it was not you, ignore this mail; your password stays the same."),
            "",
        )
    )
    return _("Reset your Ride Hailer password"), body


def find_reset(secret: str) -> PasswordReset | None:
    """The unused, unexpired reset for this secret."""
    reset = db.session.execute(
        select(PasswordReset).where(PasswordReset.token_digest == token_digest(secret)).with_for_update()
    ).scalar_one_or_none()
    if reset is None or reset.used_at is not None or utcnow() >= reset.expires_at:
        return None
    return reset


def complete_password_reset(reset: PasswordReset, password: str) -> User:
    """Set the new password, spend the link and end everything the old password opened.

    Every link (token family) of the account is revoked, every sign-in of the account
    ends, the account's other open reset links are spent and its failed-sign-in throttle is cleared: whoever knew the old
    password or holds an old token loses access.
    """
    user = db.session.get(User, reset.user_id)
    assert user is not None
    now = utcnow()
    user.password_hash = passwords().hash(password)
    reset.used_at = now
    db.session.execute(
        update(PasswordReset)
        .where(PasswordReset.user_id == user.id, PasswordReset.used_at.is_(None))
        .values(used_at=now)
    )
    families = db.session.execute(
        select(Token.family_id)
        .where(Token.user_id == user.id, Token.revoked_at.is_(None))
        .distinct()
    ).scalars().all()
    for family_id in families:
        revoke_family(family_id, "password reset")
    # every sign-in made with the old password ends (a leaked password's sign-in included)
    db.session.execute(
        update(SignIn).where(SignIn.user_id == user.id, SignIn.ended_at.is_(None)).values(ended_at=now)
    )
    db.session.execute(
        update(Token)
        .where(Token.user_id == user.id, Token.family_id.is_(None), Token.revoked_at.is_(None))
        .values(revoked_at=now)
    )
    pair_key, account_key, _ = _throttle_keys(user.email, "")
    db.session.execute(
        delete(LoginAttempt).where(
            (LoginAttempt.key == account_key)
            | LoginAttempt.key.startswith(pair_key.rsplit(":", 1)[0] + ":", autoescape=True)
        )
    )
    db.session.commit()
    return user
