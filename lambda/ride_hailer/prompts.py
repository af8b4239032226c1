"""What the Ride Hailer skill says, per locale (en-US, en-GB, de-DE; others fall back)."""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Mapping, Optional

from account_linking import LinkingMessages, for_locale

from .api import Fare


@dataclass(frozen=True)
class Prompts:
    """Every sentence of the skill in one locale."""

    welcome: str
    welcome_name: str
    reprompt: str
    help: str
    goodbye: str
    fallback: str
    ask_destination: str
    ride_ordered: str
    ride_ordered_no_eta: str
    ride_status: str
    ride_status_no_eta: str
    no_active_ride: str
    ride_cancelled: str
    nothing_to_cancel: str
    account_info: str
    account_info_no_email: str
    fare_estimate: str
    request_rejected: str
    rides_need_ride_hailer_link: str
    error: str
    decimal_separator: str
    currencies: Mapping[str, str]
    scope_labels: Mapping[str, str]

    def money(self, fare: Fare) -> str:
        """A fare as speech, e.g. ``12.50 dollars`` / ``12,50 Euro``."""
        amount = f"{fare.amount:.2f}".replace(".", self.decimal_separator)
        return f"{amount} {self.currencies.get(fare.currency.upper(), fare.currency)}"


_EN_CURRENCIES = {"USD": "dollars", "EUR": "euros", "GBP": "pounds"}

EN_US = Prompts(
    welcome="Welcome to Ride Hailer. You can order a ride, or ask what a ride would cost. Where do you want to go?",
    welcome_name="Welcome back to Ride Hailer, {name}. Where do you want to go?",
    reprompt="You can say, take me to the airport, or, how much is a ride to the station?",
    help=(
        "You can order a ride by saying, take me to the airport. Ask for the status of your "
        "ride, cancel it, or ask what a ride would cost. What would you like to do?"
    ),
    goodbye="Goodbye, and safe travels.",
    fallback="Sorry, I can't help with that. You can order a ride, or ask what a ride would cost.",
    ask_destination="Where do you want to go?",
    ride_ordered="Your ride to {destination} is confirmed. Your driver arrives in {eta} minutes; the fare is {fare}.",
    ride_ordered_no_eta="Your ride to {destination} is confirmed; the fare is {fare}.",
    ride_status="Your ride to {destination} is {status}. Your driver arrives in {eta} minutes.",
    ride_status_no_eta="Your ride to {destination} is {status}.",
    no_active_ride="You don't have an active ride right now.",
    ride_cancelled="Your ride to {destination} is cancelled.",
    nothing_to_cancel="You don't have an active ride to cancel.",
    account_info="You're linked as {name}, with the e-mail address {email}.",
    account_info_no_email="You're linked as {name}.",
    fare_estimate="A ride to {destination} costs about {fare}, and a car can be with you in {eta} minutes.",
    request_rejected="Sorry, Ride Hailer couldn't accept that request. Please try a different destination.",
    rides_need_ride_hailer_link=(
        "Sorry, ordering and managing rides needs a Ride Hailer account link, and this skill "
        "is set up to link with Amazon instead. You can still ask what a ride would cost."
    ),
    error="Sorry, something went wrong. Please try again.",
    decimal_separator=".",
    currencies=_EN_CURRENCIES,
    scope_labels={
        "profile": "read your Ride Hailer profile",
        "rides:read": "see your rides",
        "rides:write": "order and cancel rides for you",
        "*": "do what you asked",
    },
)

EN_GB = replace(
    EN_US,
    welcome="Welcome to Ride Hailer. You can book a ride, or ask what a ride would cost. Where would you like to go?",
    welcome_name="Welcome back to Ride Hailer, {name}. Where would you like to go?",
    help=(
        "You can book a ride by saying, take me to the airport. Ask for the status of your "
        "ride, cancel it, or ask what a ride would cost. What would you like to do?"
    ),
    fallback="Sorry, I can't help with that. You can book a ride, or ask what a ride would cost.",
    ask_destination="Where would you like to go?",
    ride_ordered="Your ride to {destination} is booked. Your driver arrives in {eta} minutes; the fare is {fare}.",
    ride_ordered_no_eta="Your ride to {destination} is booked; the fare is {fare}.",
    no_active_ride="You haven't got an active ride at the moment.",
    ride_cancelled="Your ride to {destination} has been cancelled.",
    nothing_to_cancel="You haven't got an active ride to cancel.",
    rides_need_ride_hailer_link=(
        "Sorry, booking and managing rides needs a Ride Hailer account link, and this skill "
        "is set up to link with Amazon instead. You can still ask what a ride would cost."
    ),
    scope_labels=dict(EN_US.scope_labels, **{"rides:write": "book and cancel rides for you"}),
)

DE_DE = Prompts(
    welcome="Willkommen bei Ride Hailer. Du kannst eine Fahrt bestellen oder fragen, was eine Fahrt kostet. Wohin möchtest du?",
    welcome_name="Willkommen zurück bei Ride Hailer, {name}. Wohin möchtest du?",
    reprompt="Sag zum Beispiel: bring mich zum Flughafen, oder: was kostet eine Fahrt zum Bahnhof?",
    help=(
        "Du kannst eine Fahrt bestellen, indem du sagst: bring mich zum Flughafen. Frag nach "
        "dem Status deiner Fahrt, storniere sie oder frag, was eine Fahrt kostet. Was möchtest du tun?"
    ),
    goodbye="Tschüss und gute Fahrt.",
    fallback="Das kann ich leider nicht. Du kannst eine Fahrt bestellen oder fragen, was eine Fahrt kostet.",
    ask_destination="Wohin möchtest du fahren?",
    ride_ordered="Deine Fahrt nach {destination} ist bestätigt. Dein Fahrer ist in {eta} Minuten da; der Preis beträgt {fare}.",
    ride_ordered_no_eta="Deine Fahrt nach {destination} ist bestätigt; der Preis beträgt {fare}.",
    ride_status="Deine Fahrt nach {destination} ist {status}. Dein Fahrer ist in {eta} Minuten da.",
    ride_status_no_eta="Deine Fahrt nach {destination} ist {status}.",
    no_active_ride="Du hast gerade keine aktive Fahrt.",
    ride_cancelled="Deine Fahrt nach {destination} ist storniert.",
    nothing_to_cancel="Du hast keine aktive Fahrt, die ich stornieren könnte.",
    account_info="Du bist als {name} verknüpft, mit der E-Mail-Adresse {email}.",
    account_info_no_email="Du bist als {name} verknüpft.",
    fare_estimate="Eine Fahrt nach {destination} kostet etwa {fare}, und ein Wagen kann in {eta} Minuten bei dir sein.",
    request_rejected="Ride Hailer konnte diese Anfrage leider nicht annehmen. Versuch es bitte mit einem anderen Ziel.",
    rides_need_ride_hailer_link=(
        "Zum Bestellen und Verwalten von Fahrten brauchst du eine Verknüpfung mit einem Ride "
        "Hailer Konto, und dieser Skill ist mit Amazon verknüpft. Du kannst aber fragen, was eine Fahrt kostet."
    ),
    error="Entschuldigung, da ist etwas schiefgelaufen. Bitte versuch es noch einmal.",
    decimal_separator=",",
    currencies={"USD": "Dollar", "EUR": "Euro", "GBP": "Pfund"},
    scope_labels={
        "profile": "dein Ride Hailer Profil zu lesen",
        "rides:read": "deine Fahrten zu sehen",
        "rides:write": "Fahrten für dich zu bestellen und zu stornieren",
        "*": "das zu tun",
    },
)

#: Prompts per locale; other locales fall back by language, then to en-US.
PROMPTS: Mapping[str, Prompts] = {"en-US": EN_US, "en-GB": EN_GB, "de-DE": DE_DE}

#: Ride statuses as speech (API status -> words); unknown statuses are read as-is.
STATUS_WORDS: Mapping[str, Mapping[str, str]] = {
    "en-US": {"requested": "requested", "accepted": "confirmed", "arriving": "arriving",
              "in_progress": "under way", "completed": "completed", "cancelled": "cancelled"},
    "de-DE": {"requested": "angefragt", "accepted": "bestätigt", "arriving": "gleich da",
              "in_progress": "unterwegs", "completed": "abgeschlossen", "cancelled": "storniert"},
}


def prompts_for(locale: Optional[str]) -> Prompts:
    """The prompts for ``locale``."""
    return for_locale(PROMPTS, locale)


def status_words(locale: Optional[str], status: str) -> str:
    """A ride status in words for ``locale``."""
    return for_locale(STATUS_WORDS, locale).get(status, status.replace("_", " "))


def scope_labels() -> Mapping[str, Mapping[str, str]]:
    """Scope names for the linking exception handler, per locale."""
    return {locale: prompts.scope_labels for locale, prompts in PROMPTS.items()}


def apologies() -> Mapping[str, str]:
    """The generic apology per locale, for the skill builder."""
    return {locale: prompts.error for locale, prompts in PROMPTS.items()}


def linking_messages() -> Mapping[str, LinkingMessages]:
    """Linking speech that names the Ride Hailer account."""
    english = LinkingMessages(
        not_linked="To do that, link your Ride Hailer account first. Open the Alexa app; I've sent a card there to get you started.",
        rejected="Your Ride Hailer link has expired. Please open the Alexa app and link your account again; I've sent a card there.",
        missing_scope="To do that, I need permission to {permission}. Please open the Alexa app and link your account again, allowing that; I've sent a card there.",
        unavailable="Sorry, I can't reach Ride Hailer right now. Please try again in a little while.",
    )
    return {
        "en-US": english,
        "en-GB": replace(
            english,
            not_linked="To do that, you'll need to link your Ride Hailer account first. Open the Alexa app; I've sent a card there to get you started.",
            unavailable="Sorry, I can't reach Ride Hailer at the moment. Please try again shortly.",
        ),
        "de-DE": LinkingMessages(
            not_linked="Dafür musst du zuerst dein Ride Hailer Konto verknüpfen. Öffne die Alexa App; ich habe dir dort eine Karte zum Verknüpfen geschickt.",
            rejected="Die Verknüpfung mit deinem Ride Hailer Konto ist abgelaufen. Bitte öffne die Alexa App und verknüpfe dein Konto erneut; ich habe dir dort eine Karte geschickt.",
            missing_scope="Dafür brauche ich die Berechtigung, {permission}. Bitte öffne die Alexa App und verknüpfe dein Konto erneut mit dieser Berechtigung; ich habe dir dort eine Karte geschickt.",
            unavailable="Entschuldigung, ich kann Ride Hailer gerade nicht erreichen. Bitte versuch es gleich noch einmal.",
        ),
    }
