"""The device cloud's own tables: lights, the Alexa tokens per user, the Alexa event outbox.

They live on their own metadata (created by `init_database`), so the Ride Hailer service's
tables and migrations stay exactly as they are. Users are the service's ``users`` rows.
Alexa tokens are stored encrypted (Fernet, key derived from SECRET_KEY): they must be
usable to call Alexa, so a digest would not do.
"""
from __future__ import annotations

import base64
import datetime as dt
import hashlib

from cryptography.fernet import Fernet
from flask import current_app
from sqlalchemy import DateTime, Integer, MetaData, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from ride_hailer_service.models import NAMING_CONVENTION, utcnow


class LightsBase(DeclarativeBase):
    """Declarative base of the device cloud's tables (separate metadata)."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Light(LightsBase):
    """A light on a user's My Lights hub."""

    __tablename__ = "my_lights_lights"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(Integer, nullable=False, index=True)
    #: the endpointId Alexa uses (unique per user)
    endpoint_id: Mapped[str] = mapped_column(String(100), nullable=False)
    name: Mapped[str] = mapped_column(String(100), nullable=False)
    power: Mapped[str] = mapped_column(String(3), nullable=False, default="OFF")
    brightness: Mapped[int] = mapped_column(Integer, nullable=False, default=100)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, nullable=False)

    __table_args__ = (UniqueConstraint("user_id", "endpoint_id", name="uq_my_lights_lights_user_endpoint"),)

    def as_json(self) -> dict[str, object]:
        """The light in the API's shape."""
        return {"id": self.endpoint_id, "name": self.name, "power": self.power,
                "brightness": self.brightness, "updated_at": self.updated_at.isoformat() + "Z"}


def _fernet() -> Fernet:
    secret = str(current_app.config["SECRET_KEY"]).encode()
    return Fernet(base64.urlsafe_b64encode(hashlib.sha256(b"my-lights alexa tokens\0" + secret).digest()))


class AlexaGrant(LightsBase):
    """The Alexa access and refresh token of one user (from AcceptGrant), encrypted."""

    __tablename__ = "my_lights_alexa_grants"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(Integer, nullable=False, unique=True)
    access_token_sealed: Mapped[str] = mapped_column(Text, nullable=False)
    refresh_token_sealed: Mapped[str] = mapped_column(Text, nullable=False)
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime, nullable=False)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, nullable=False)

    def __repr__(self) -> str:
        return f"AlexaGrant(user_id={self.user_id}, expires_at={self.expires_at})"

    @property
    def access_token(self) -> str:
        return _fernet().decrypt(self.access_token_sealed.encode()).decode()

    @property
    def refresh_token(self) -> str:
        return _fernet().decrypt(self.refresh_token_sealed.encode()).decode()

    def store(self, access_token: str, refresh_token: str, expires_at: dt.datetime) -> None:
        """Keep new tokens (sealed)."""
        fernet = _fernet()
        self.access_token_sealed = fernet.encrypt(access_token.encode()).decode()
        self.refresh_token_sealed = fernet.encrypt(refresh_token.encode()).decode()
        self.expires_at = expires_at
        self.updated_at = utcnow()


class AlexaEvent(LightsBase):
    """An event for Alexa's event gateway, waiting in the outbox until Alexa takes it.

    The body is stored without any token: the sender adds the user's current Alexa
    access token when it sends (after a refresh the stored event still works).
    """

    __tablename__ = "my_lights_alexa_events"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(Integer, nullable=False, index=True)
    #: ChangeReport or AddOrUpdateReport
    kind: Mapped[str] = mapped_column(String(40), nullable=False)
    body: Mapped[str] = mapped_column(Text, nullable=False)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, nullable=False)
    attempts: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    #: a sender's lease while it sends, then the retry back-off
    next_attempt_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    sent_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    #: set when the event will never be sent (tokens forgotten, rejected, attempts used up)
    dropped_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
