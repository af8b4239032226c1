"""Read the account-linking access token from a request envelope."""
from __future__ import annotations

from typing import Optional

from ask_sdk_model.request_envelope import RequestEnvelope


def access_token(envelope: RequestEnvelope) -> Optional[str]:
    """Return the user's access token, or None when the account is not linked.

    ``context.System.user`` comes first: requests without a session (skill events,
    AudioPlayer) carry the token only there. ``session.user`` is the fallback.
    """
    context = envelope.context
    system = context.system if context is not None else None
    user = system.user if system is not None else None
    if user is not None and user.access_token:
        return str(user.access_token)
    session = envelope.session
    if session is not None and session.user is not None and session.user.access_token:
        return str(session.user.access_token)
    return None


def alexa_user_id(envelope: RequestEnvelope) -> Optional[str]:
    """The Alexa user id (``context.System.user.userId``, else ``session.user.userId``).

    Alexa's id of the skill user, not the resource server's: it changes when the user
    disables and re-enables the skill.
    """
    context = envelope.context
    system = context.system if context is not None else None
    user = system.user if system is not None else None
    if user is not None and user.user_id:
        return str(user.user_id)
    session = envelope.session
    if session is not None and session.user is not None and session.user.user_id:
        return str(session.user.user_id)
    return None
