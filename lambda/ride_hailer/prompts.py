"""What the Ride Hailer skill says, per locale (en-US, en-GB, de-DE, fr-FR, es-ES, ja-JP; others fall back)."""
from __future__ import annotations

import re
from dataclasses import field, replace
from typing import Mapping, Optional

from account_linking import LinkingMessages, for_locale
from account_linking.values import value_class

from .api import Fare


@value_class
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
    #: How a destination reads in the templates: lowercased place (articles dropped) ->
    #: phrase, e.g. German ``flughafen`` -> ``zum Flughafen``; others use ``place_template``.
    place_phrases: Mapping[str, str] = field(default_factory=dict)
    #: Phrase for a destination without an entry (German: ``nach Berlin``).
    place_template: str = "{destination}"
    #: A fare: ``{amount}`` and ``{currency}`` (Japanese writes no space between them).
    money_template: str = "{amount} {currency}"
    #: What a current ride's status sounds like, by API status (requested, driver_assigned,
    #: arriving, picked_up): ``{destination}`` and ``{minutes}`` (e.g. ``5 minutes``).
    ride_progress: Mapping[str, str] = field(default_factory=dict)
    #: Cancelling a ride the rider is already in (API 409 ride_in_progress).
    ride_in_progress: str = ""
    #: ``{n}`` minutes in words: singular, plural.
    minute_forms: tuple[str, str] = ("{n} minute", "{n} minutes")

    def minutes(self, n: int) -> str:
        """``n`` minutes as speech (``1 minute``, ``5 minutes``)."""
        return self.minute_forms[0 if n == 1 else 1].format(n=n)

    def money(self, fare: Fare) -> str:
        """A fare as speech, e.g. ``12.50 dollars`` / ``12,50 Euro``."""
        amount = f"{fare.amount:.2f}".replace(".", self.decimal_separator)
        currency = self.currencies.get(fare.currency.upper(), fare.currency)
        return self.money_template.format(amount=amount, currency=currency)

    def place(self, destination: str) -> str:
        """``destination`` as the templates read it (``zum Flughafen``, ``nach Berlin``)."""
        key = re.sub(_ARTICLES, "", destination.strip().lower())
        phrase = self.place_phrases.get(key)
        return phrase if phrase is not None else self.place_template.format(destination=destination)


#: Leading German articles dropped before looking a place up ("den Flughafen" -> flughafen).
_ARTICLES = r"^(der|die|das|den|dem|des)\s+"


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
    ride_ordered="Your ride to {destination} is booked. A driver will be with you in about {eta} minutes; the fare is {fare}.",
    ride_ordered_no_eta="Your ride to {destination} is booked; the fare is {fare}.",
    ride_status="Your ride to {destination} is {status}. Your driver arrives in {eta} minutes.",
    ride_status_no_eta="Your ride to {destination} is {status}.",
    no_active_ride="You don't have an active ride right now.",
    ride_cancelled="Your ride to {destination} is cancelled.",
    nothing_to_cancel="You don't have an active ride to cancel.",
    ride_progress={
        "requested": "I'm still finding a driver for your ride to {destination}; a car can be with you in about {minutes}.",
        "driver_assigned": "A driver is on the way for your ride to {destination} and will be with you in {minutes}.",
        "arriving": "Your driver is almost there for your ride to {destination}: about {minutes}.",
        "picked_up": "You're on your way to {destination}, arriving in about {minutes}.",
    },
    ride_in_progress="You've already been picked up, so I can't cancel this ride now.",
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
    ride_ordered="Deine Fahrt {destination} ist gebucht. Ein Fahrer ist in etwa {eta} Minuten bei dir; der Preis beträgt {fare}.",
    ride_ordered_no_eta="Deine Fahrt {destination} ist gebucht; der Preis beträgt {fare}.",
    ride_status="Deine Fahrt {destination} ist {status}. Dein Fahrer ist in {eta} Minuten da.",
    ride_status_no_eta="Deine Fahrt {destination} ist {status}.",
    no_active_ride="Du hast gerade keine aktive Fahrt.",
    ride_cancelled="Deine Fahrt {destination} ist storniert.",
    nothing_to_cancel="Du hast keine aktive Fahrt, die ich stornieren könnte.",
    ride_progress={
        "requested": "Ich suche noch einen Fahrer für deine Fahrt {destination}; ein Wagen kann in etwa {minutes} bei dir sein.",
        "driver_assigned": "Dein Fahrer für die Fahrt {destination} ist unterwegs und in {minutes} bei dir.",
        "arriving": "Dein Fahrer für die Fahrt {destination} ist gleich da, in etwa {minutes}.",
        "picked_up": "Du bist unterwegs {destination} und in etwa {minutes} da.",
    },
    ride_in_progress="Du sitzt schon im Wagen, deshalb kann ich diese Fahrt nicht mehr stornieren.",
    minute_forms=("{n} Minute", "{n} Minuten"),
    account_info="Du bist als {name} verknüpft, mit der E-Mail-Adresse {email}.",
    account_info_no_email="Du bist als {name} verknüpft.",
    fare_estimate="Eine Fahrt {destination} kostet etwa {fare}, und ein Wagen kann in {eta} Minuten bei dir sein.",
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
    # Destinations the interaction model knows, with the preposition German needs
    # ("zum Flughafen", never "nach Flughafen"); any other place is a town: "nach Berlin".
    place_phrases={
        "flughafen": "zum Flughafen",
        "hauptbahnhof": "zum Hauptbahnhof",
        "bahnhof": "zum Bahnhof",
        "innenstadt": "in die Innenstadt",
        "stadtmitte": "in die Stadtmitte",
        "zentrum": "ins Zentrum",
        "hotel": "zum Hotel",
        "büro": "ins Büro",
        "arbeit": "zur Arbeit",
        "stadion": "zum Stadion",
        "messe": "zur Messe",
        "universität": "zur Universität",
        "uni": "zur Uni",
        "hause": "nach Hause",
        "zuhause": "nach Hause",
    },
    place_template="nach {destination}",
)

FR_FR = Prompts(
    welcome="Bienvenue sur Ride Hailer. Vous pouvez commander une course, ou demander combien coûte un trajet. Où voulez-vous aller ?",
    welcome_name="Ravie de vous retrouver sur Ride Hailer, {name}. Où voulez-vous aller ?",
    reprompt="Vous pouvez dire : emmène-moi à l'aéroport, ou : combien coûte une course pour la gare ?",
    help=(
        "Pour commander une course, dites par exemple : emmène-moi à l'aéroport. Vous pouvez aussi "
        "demander où en est votre course, l'annuler, ou demander combien coûte un trajet. Que voulez-vous faire ?"
    ),
    goodbye="Au revoir, et bonne route.",
    fallback="Désolée, je ne peux pas vous aider pour ça. Vous pouvez commander une course, ou demander combien coûte un trajet.",
    ask_destination="Où voulez-vous aller ?",
    ride_ordered="Votre course vers {destination} est réservée. Un chauffeur sera là dans environ {eta} minutes ; le prix est de {fare}.",
    ride_ordered_no_eta="Votre course vers {destination} est réservée ; le prix est de {fare}.",
    ride_status="Votre course vers {destination} est {status}. Votre chauffeur arrive dans {eta} minutes.",
    ride_status_no_eta="Votre course vers {destination} est {status}.",
    no_active_ride="Vous n'avez aucune course en cours.",
    ride_cancelled="Votre course vers {destination} est annulée.",
    nothing_to_cancel="Vous n'avez aucune course en cours à annuler.",
    ride_progress={
        "requested": "Je cherche encore un chauffeur pour votre course vers {destination} ; une voiture peut être là dans environ {minutes}.",
        "driver_assigned": "Votre chauffeur pour la course vers {destination} est en route et sera là dans {minutes}.",
        "arriving": "Votre chauffeur pour la course vers {destination} arrive, dans environ {minutes}.",
        "picked_up": "Vous êtes en route vers {destination} ; vous arriverez dans environ {minutes}.",
    },
    ride_in_progress="Vous êtes déjà à bord, je ne peux donc plus annuler cette course.",
    account_info="Votre compte est associé à {name}, avec l'adresse e-mail {email}.",
    account_info_no_email="Votre compte est associé à {name}.",
    fare_estimate="Une course vers {destination} coûte environ {fare}, et une voiture peut être là dans {eta} minutes.",
    request_rejected="Désolée, Ride Hailer n'a pas pu accepter cette demande. Essayez une autre destination.",
    rides_need_ride_hailer_link=(
        "Désolée, pour commander et gérer des courses, il faut associer un compte Ride Hailer, et cette "
        "skill est configurée pour s'associer à Amazon. Vous pouvez quand même demander combien coûte une course."
    ),
    error="Désolée, un problème est survenu. Veuillez réessayer.",
    decimal_separator=",",
    currencies={"USD": "dollars", "EUR": "euros", "GBP": "livres sterling"},
    scope_labels={
        "profile": "lire votre profil Ride Hailer",
        "rides:read": "voir vos courses",
        "rides:write": "commander et annuler des courses pour vous",
        "*": "faire ce que vous avez demandé",
    },
)

ES_ES = Prompts(
    welcome="Te damos la bienvenida a Ride Hailer. Puedes pedir un coche o preguntar cuánto cuesta un viaje. ¿Adónde quieres ir?",
    welcome_name="Hola de nuevo, {name}. ¿Adónde quieres ir?",
    reprompt="Puedes decir: llévame al aeropuerto, o: ¿cuánto cuesta un viaje a la estación?",
    help=(
        "Para pedir un coche, di por ejemplo: llévame al aeropuerto. También puedes preguntar cómo va "
        "tu viaje, cancelarlo o preguntar cuánto cuesta un viaje. ¿Qué quieres hacer?"
    ),
    goodbye="Adiós, y buen viaje.",
    fallback="Lo siento, con eso no puedo ayudarte. Puedes pedir un coche o preguntar cuánto cuesta un viaje.",
    ask_destination="¿Adónde quieres ir?",
    ride_ordered="Tu viaje hacia {destination} está reservado. Un conductor estará contigo en unos {eta} minutos; el precio es de {fare}.",
    ride_ordered_no_eta="Tu viaje hacia {destination} está reservado; el precio es de {fare}.",
    ride_status="Tu viaje hacia {destination} está {status}. Tu conductor llega en {eta} minutos.",
    ride_status_no_eta="Tu viaje hacia {destination} está {status}.",
    no_active_ride="Ahora mismo no tienes ningún viaje activo.",
    ride_cancelled="Tu viaje hacia {destination} está cancelado.",
    nothing_to_cancel="No tienes ningún viaje activo que cancelar.",
    ride_progress={
        "requested": "Todavía estoy buscando un conductor para tu viaje hacia {destination}; un coche puede estar contigo en unos {minutes}.",
        "driver_assigned": "Tu conductor para el viaje hacia {destination} está en camino y llega en {minutes}.",
        "arriving": "Tu conductor para el viaje hacia {destination} está llegando, en unos {minutes}.",
        "picked_up": "Vas de camino hacia {destination}; llegarás en unos {minutes}.",
    },
    ride_in_progress="Ya estás en el coche, así que no puedo cancelar este viaje.",
    minute_forms=("{n} minuto", "{n} minutos"),
    account_info="Tu cuenta está vinculada a {name}, con el correo electrónico {email}.",
    account_info_no_email="Tu cuenta está vinculada a {name}.",
    fare_estimate="Un viaje hacia {destination} cuesta unos {fare}, y un coche puede estar contigo en {eta} minutos.",
    request_rejected="Lo siento, Ride Hailer no ha podido aceptar esa solicitud. Prueba con otro destino.",
    rides_need_ride_hailer_link=(
        "Lo siento, para pedir y gestionar viajes hace falta vincular una cuenta de Ride Hailer, y esta "
        "skill está configurada para vincularse con Amazon. Aun así, puedes preguntar cuánto cuesta un viaje."
    ),
    error="Lo siento, algo ha salido mal. Inténtalo de nuevo.",
    decimal_separator=",",
    currencies={"USD": "dólares", "EUR": "euros", "GBP": "libras"},
    scope_labels={
        "profile": "leer tu perfil de Ride Hailer",
        "rides:read": "ver tus viajes",
        "rides:write": "pedir y cancelar viajes por ti",
        "*": "hacer lo que me has pedido",
    },
)

JA_JP = Prompts(
    welcome="ライドヘイラーへようこそ。配車の依頼や、料金の確認ができます。どこへ行きますか？",
    welcome_name="{name}さん、おかえりなさい。どこへ行きますか？",
    reprompt="「空港まで行って」や「駅までいくら」のように言ってください。",
    help=(
        "配車を頼むには、「空港まで行って」のように言ってください。配車の状況の確認やキャンセル、"
        "料金の確認もできます。何をしますか？"
    ),
    goodbye="ご利用ありがとうございました。お気をつけて。",
    fallback="すみません、それはお手伝いできません。配車の依頼や、料金の確認ができます。",
    ask_destination="どこへ行きますか？",
    ride_ordered="{destination}までの配車を手配しました。ドライバーは{eta}分で到着します。料金は{fare}です。",
    ride_ordered_no_eta="{destination}までの配車を手配しました。料金は{fare}です。",
    ride_status="{destination}までの配車は{status}です。ドライバーは{eta}分で到着します。",
    ride_status_no_eta="{destination}までの配車は{status}です。",
    no_active_ride="現在、手配中の配車はありません。",
    ride_cancelled="{destination}までの配車をキャンセルしました。",
    nothing_to_cancel="キャンセルできる配車はありません。",
    ride_progress={
        "requested": "{destination}までの配車のドライバーを探しています。約{minutes}で車が到着できます。",
        "driver_assigned": "{destination}までの配車のドライバーが向かっています。{minutes}で到着します。",
        "arriving": "{destination}までの配車のドライバーがまもなく到着します。約{minutes}です。",
        "picked_up": "{destination}へ向かっています。約{minutes}で到着します。",
    },
    ride_in_progress="すでに乗車中のため、この配車はキャンセルできません。",
    minute_forms=("{n}分", "{n}分"),
    account_info="{name}さんのアカウントとリンクしています。メールアドレスは{email}です。",
    account_info_no_email="{name}さんのアカウントとリンクしています。",
    fare_estimate="{destination}までの料金は約{fare}で、{eta}分で車が到着できます。",
    request_rejected="すみません、ライドヘイラーはこのリクエストを受け付けられませんでした。別の行き先でお試しください。",
    rides_need_ride_hailer_link=(
        "すみません、配車の依頼や管理にはライドヘイラーのアカウントとのリンクが必要ですが、"
        "このスキルはAmazonとリンクする設定になっています。料金の確認はできます。"
    ),
    error="すみません、問題が発生しました。もう一度お試しください。",
    decimal_separator=".",
    currencies={"USD": "ドル", "EUR": "ユーロ", "GBP": "ポンド", "JPY": "円"},
    scope_labels={
        "profile": "ライドヘイラーのプロフィールを読み取る",
        "rides:read": "配車の状況を確認する",
        "rides:write": "配車の依頼やキャンセルを行う",
        "*": "ご依頼の操作を行う",
    },
    money_template="{amount}{currency}",
)

#: Prompts per locale; other locales fall back by language, then to en-US.
PROMPTS: Mapping[str, Prompts] = {
    "en-US": EN_US, "en-GB": EN_GB, "de-DE": DE_DE, "fr-FR": FR_FR, "es-ES": ES_ES, "ja-JP": JA_JP,
}

#: Ride statuses as speech (API status -> words); unknown statuses are read as-is.
STATUS_WORDS: Mapping[str, Mapping[str, str]] = {
    "en-US": {"requested": "requested", "accepted": "confirmed", "arriving": "arriving",
              "in_progress": "under way", "completed": "completed", "cancelled": "cancelled"},
    "de-DE": {"requested": "angefragt", "accepted": "bestätigt", "arriving": "gleich da",
              "in_progress": "unterwegs", "completed": "abgeschlossen", "cancelled": "storniert"},
    "fr-FR": {"requested": "demandée", "accepted": "confirmée", "arriving": "sur le point d'arriver",
              "in_progress": "en route", "completed": "terminée", "cancelled": "annulée"},
    "es-ES": {"requested": "solicitado", "accepted": "confirmado", "arriving": "a punto de llegar",
              "in_progress": "en curso", "completed": "completado", "cancelled": "cancelado"},
    "ja-JP": {"requested": "リクエスト済み", "accepted": "確定済み", "arriving": "まもなく到着",
              "in_progress": "移動中", "completed": "完了", "cancelled": "キャンセル済み"},
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
        "fr-FR": LinkingMessages(
            not_linked="Pour cela, associez d'abord votre compte Ride Hailer. Ouvrez l'application Alexa : je vous y ai envoyé une carte pour commencer.",
            rejected="L'association avec votre compte Ride Hailer a expiré. Ouvrez l'application Alexa et associez de nouveau votre compte : je vous y ai envoyé une carte.",
            missing_scope="Pour cela, j'ai besoin de l'autorisation de {permission}. Ouvrez l'application Alexa et associez de nouveau votre compte en accordant cette autorisation : je vous y ai envoyé une carte.",
            unavailable="Désolée, je n'arrive pas à joindre Ride Hailer pour le moment. Veuillez réessayer dans un instant.",
        ),
        "es-ES": LinkingMessages(
            not_linked="Para hacer eso, primero vincula tu cuenta de Ride Hailer. Abre la app de Alexa; te he enviado allí una tarjeta para empezar.",
            rejected="La vinculación con tu cuenta de Ride Hailer ha caducado. Abre la app de Alexa y vuelve a vincular tu cuenta; te he enviado allí una tarjeta.",
            missing_scope="Para hacer eso, necesito permiso para {permission}. Abre la app de Alexa y vuelve a vincular tu cuenta concediendo ese permiso; te he enviado allí una tarjeta.",
            unavailable="Lo siento, ahora mismo no puedo conectar con Ride Hailer. Inténtalo de nuevo dentro de un rato.",
        ),
        "ja-JP": LinkingMessages(
            not_linked="この操作を行うには、先にライドヘイラーのアカウントをリンクしてください。Alexaアプリにカードを送りましたので、アプリを開いてリンクしてください。",
            rejected="ライドヘイラーのアカウントのリンクの有効期限が切れました。Alexaアプリにカードを送りましたので、アプリを開いてもう一度リンクしてください。",
            missing_scope="この操作を行うには、{permission}許可が必要です。Alexaアプリにカードを送りましたので、アプリを開き、この許可を与えてもう一度リンクしてください。",
            unavailable="すみません、今はライドヘイラーに接続できません。しばらくしてからもう一度お試しください。",
        ),
    }
