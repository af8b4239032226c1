"""The mail outbox: requests only write rows; `flask send-outbox` delivers them by SMTP.

Delivery never runs inside a web request (its time would tell which emails have accounts,
and a stranger's request would pay for the whole backlog). Each attempt first claims the
row with a lease (`next_attempt_at`), so several senders never send one mail twice while
they run; a failure records the error and backs off, doubling per attempt, up to
MAIL_MAX_ATTEMPTS. When SMTP is configured (and not in testing) a small background thread
per process (`OutboxSender`) does the same every MAIL_SEND_INTERVAL seconds and right after
a mail is queued.
"""
from __future__ import annotations

import datetime as dt
import logging
import smtplib
import threading
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Any, Callable

from flask import Flask, current_app
from sqlalchemy import or_, select

from .errors import ConfigurationError
from .models import OutboxMail, db, utcnow

log = logging.getLogger(__name__)

#: Seconds an SMTP conversation may take before smtplib gives up.
SMTP_TIMEOUT = 10

#: Key of the background sender in app.extensions.
SENDER_EXTENSION = "ride_hailer.outbox_sender"

#: Seconds a claimed row stays invisible to other senders while one sends it.
CLAIM_LEASE = 120


@dataclass(frozen=True)
class DeliveryReport:
    """What one `deliver_outbox` run did."""

    sent: int
    failed: int


def queue_mail(recipient: str, subject: str, body: str) -> OutboxMail:
    """Store a mail in the outbox (the caller commits); it is sent later, never here."""
    mail = OutboxMail(recipient=recipient, subject=subject, body=body, attempts=0)
    db.session.add(mail)
    return mail


def pending_mail(include_sent: bool = False) -> list[OutboxMail]:
    """Mail still to send (or every mail), oldest first."""
    statement = select(OutboxMail).order_by(OutboxMail.id)
    if not include_sent:
        statement = statement.where(OutboxMail.sent_at.is_(None))
    return list(db.session.execute(statement).scalars())


def _claim_next(tried: set[int]) -> OutboxMail | None:
    """Take the oldest due, unsent mail not tried in this run, under a lease (commits)."""
    now = utcnow()
    mail = db.session.execute(
        select(OutboxMail)
        .where(
            OutboxMail.sent_at.is_(None),
            OutboxMail.attempts < int(current_app.config["MAIL_MAX_ATTEMPTS"]),
            or_(OutboxMail.next_attempt_at.is_(None), OutboxMail.next_attempt_at <= now),
            OutboxMail.id.not_in(tried),
        )
        .order_by(OutboxMail.id)
        .limit(1)
        .with_for_update(skip_locked=True)
    ).scalar_one_or_none()
    if mail is None:
        db.session.rollback()
        return None
    mail.attempts += 1
    mail.next_attempt_at = now + dt.timedelta(seconds=CLAIM_LEASE)
    db.session.commit()
    return mail


def _send(config: Any, mail: OutboxMail) -> None:
    """One SMTP conversation for one mail; raises OSError or SMTPException."""
    message = EmailMessage()
    message["From"] = config["MAIL_FROM"]
    message["To"] = mail.recipient
    message["Subject"] = mail.subject
    message.set_content(mail.body)
    with smtplib.SMTP(config["SMTP_HOST"], int(config["SMTP_PORT"]), timeout=SMTP_TIMEOUT) as smtp:
        if config["SMTP_STARTTLS"]:
            smtp.starttls()
        if config["SMTP_USERNAME"]:
            smtp.login(config["SMTP_USERNAME"], config["SMTP_PASSWORD"] or "")
        smtp.send_message(message)


def deliver_outbox() -> DeliveryReport:
    """Send every due outbox mail by SMTP (call in an app context, outside requests)."""
    config = current_app.config
    if not config["SMTP_HOST"]:
        raise ConfigurationError("RIDE_HAILER_SMTP_HOST is not set: there is no SMTP server to send to")
    sent = failed = 0
    tried: set[int] = set()
    while (mail := _claim_next(tried)) is not None:
        tried.add(mail.id)
        try:
            _send(config, mail)
        except (OSError, smtplib.SMTPException) as error:
            delay = int(config["MAIL_RETRY_DELAY"]) * 2 ** (mail.attempts - 1)
            mail.last_error = f"{type(error).__name__}: {error}"[:500]
            mail.next_attempt_at = utcnow() + dt.timedelta(seconds=delay)
            failed += 1
            log.warning("mail %s stays in the outbox after attempt %s: %s", mail.id, mail.attempts, type(error).__name__)
        else:
            mail.sent_at = utcnow()
            mail.last_error = None
            sent += 1
            log.info("mail %s sent", mail.id)
        db.session.commit()
    return DeliveryReport(sent=sent, failed=failed)


class BackgroundSender:
    """A daemon thread that runs ``work`` now and then, and soon after `wake()`.

    The service's mail outbox uses one (OutboxSender); a device cloud built on the service
    (examples/my_lights) runs its Alexa event outbox with another. Leases in the outbox make
    one sender per worker process safe.
    """

    def __init__(self, app: Flask, interval: float, work: Callable[[], object], name: str) -> None:
        self._app = app
        self._interval = interval
        self._work = work
        self._name = name
        self._wake = threading.Event()
        self._stopped = threading.Event()
        self._start_lock = threading.Lock()
        self._started = False
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)

    @property
    def started(self) -> bool:
        """Whether the thread was started."""
        return self._started

    def start_once(self) -> None:
        """Start the thread unless it runs already (thread-safe)."""
        with self._start_lock:
            if not self._started:
                self._started = True
                self._thread.start()

    def wake(self) -> None:
        """Run soon (something was just queued)."""
        self._wake.set()

    def stop(self, timeout: float = 30) -> None:
        """Stop after the current run."""
        self._stopped.set()
        self._wake.set()
        if self._started:
            self._thread.join(timeout)

    def _run(self) -> None:
        while not self._stopped.is_set():
            try:
                with self._app.app_context():
                    self._work()
            except Exception:  # keep the thread alive; the next run retries
                log.exception("%s: run failed", self._name)
            self._wake.wait(self._interval)
            self._wake.clear()


class OutboxSender(BackgroundSender):
    """The mail outbox's sender: `deliver_outbox` every MAIL_SEND_INTERVAL s and after `wake()`.

    Started with the first request only when SMTP is configured, outside testing, and
    MAIL_BACKGROUND_SENDER is on.
    """

    def __init__(self, app: Flask, interval: float) -> None:
        super().__init__(app, interval, deliver_outbox, "ride-hailer-outbox")


def wake_sender() -> None:
    """Tell this app's background sender, if any, that mail was queued."""
    sender = current_app.extensions.get(SENDER_EXTENSION)
    if sender is not None:
        sender.wake()


def init_app(app: Flask) -> None:
    """Start the background sender with the first request, when SMTP is configured.

    Never in testing; never in CLI commands or before a pre-forking server forks (it starts
    lazily in the process that serves requests).
    """
    if not (app.config["SMTP_HOST"] and app.config["MAIL_BACKGROUND_SENDER"] and not app.testing):
        return
    sender = OutboxSender(app, float(app.config["MAIL_SEND_INTERVAL"]))
    app.extensions[SENDER_EXTENSION] = sender

    @app.before_request
    def start_outbox_sender() -> None:
        sender.start_once()
