"""What the user hears for each linking outcome, per locale."""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Mapping


@dataclass(frozen=True)
class LinkingMessages:
    """Speech for the four linking outcomes in one locale."""

    #: No token: the user never linked.
    not_linked: str
    #: Token rejected (expired or revoked): relink.
    rejected: str
    #: Token lacks a permission; ``{permission}`` names it.
    missing_scope: str
    #: Resource server down, slow or failing: apology, no card.
    unavailable: str


_EN = LinkingMessages(
    not_linked=(
        "To do that, you need to link your account first. "
        "Open the Alexa app; I've sent a card there to get you started."
    ),
    rejected=(
        "Your account link has expired. Please open the Alexa app and link your "
        "account again; I've sent a card there."
    ),
    missing_scope=(
        "To do that, I need permission to {permission}. Please open the Alexa app and "
        "link your account again, allowing that permission; I've sent a card there."
    ),
    unavailable=(
        "Sorry, I can't reach your account right now. Please try again in a little while."
    ),
)

_EN_GB = replace(
    _EN,
    not_linked=(
        "To do that, you'll need to link your account first. "
        "Open the Alexa app; I've sent a card there to get you started."
    ),
    unavailable="Sorry, I can't reach your account at the moment. Please try again shortly.",
)

_DE = LinkingMessages(
    not_linked=(
        "Dafür musst du zuerst dein Konto verknüpfen. Öffne die Alexa App; "
        "ich habe dir dort eine Karte zum Verknüpfen geschickt."
    ),
    rejected=(
        "Die Verknüpfung mit deinem Konto ist abgelaufen. Bitte öffne die Alexa App und "
        "verknüpfe dein Konto erneut; ich habe dir dort eine Karte geschickt."
    ),
    missing_scope=(
        "Dafür brauche ich die Berechtigung, {permission}. Bitte öffne die Alexa App und "
        "verknüpfe dein Konto erneut mit dieser Berechtigung; ich habe dir dort eine "
        "Karte geschickt."
    ),
    unavailable=(
        "Entschuldigung, ich kann dein Konto gerade nicht erreichen. "
        "Bitte versuche es gleich noch einmal."
    ),
)

#: Default speech per locale; other locales fall back by language, then to en-US.
DEFAULT_MESSAGES: Mapping[str, LinkingMessages] = {
    "en-US": _EN,
    "en-GB": _EN_GB,
    "de-DE": _DE,
}

#: Generic names for well-known scopes; skills pass their own labels for theirs.
#: The key ``"*"`` names the permission when the resource server did not say which.
DEFAULT_SCOPE_LABELS: Mapping[str, Mapping[str, str]] = {
    "en-US": {"profile": "read your profile", "*": "do what you asked"},
    "en-GB": {"profile": "read your profile", "*": "do what you asked"},
    "de-DE": {"profile": "dein Profil zu lesen", "*": "das zu tun"},
}

#: The apology spoken when a skill cannot answer at all (SafeSkillBuilder); per locale.
DEFAULT_APOLOGIES: Mapping[str, str] = {
    "en-US": "Sorry, something went wrong. Please try again.",
    "de-DE": "Entschuldigung, da ist etwas schiefgelaufen. Bitte versuch es noch einmal.",
}
