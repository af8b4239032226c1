"""What the user hears for each linking outcome, per locale."""
from __future__ import annotations

from dataclasses import replace
from typing import Mapping

from .values import value_class


@value_class
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

_EN_CA = replace(_EN)
_EN_AU = replace(
    _EN_GB,
    unavailable="Sorry, I can't reach your account at the moment. Please try again in a bit.",
)
_EN_IN = replace(
    _EN_GB,
    unavailable="Sorry, I'm unable to reach your account right now. Please try again after some time.",
)

_FR = LinkingMessages(
    not_linked=(
        "Pour cela, vous devez d'abord associer votre compte. Ouvrez l'application Alexa : "
        "je vous y ai envoyé une carte pour commencer."
    ),
    rejected=(
        "L'association de votre compte a expiré. Ouvrez l'application Alexa et associez "
        "de nouveau votre compte : je vous y ai envoyé une carte."
    ),
    missing_scope=(
        "Pour cela, j'ai besoin de l'autorisation de {permission}. Ouvrez l'application Alexa "
        "et associez de nouveau votre compte en accordant cette autorisation : je vous y ai "
        "envoyé une carte."
    ),
    unavailable=(
        "Désolée, je n'arrive pas à joindre votre compte pour le moment. "
        "Veuillez réessayer dans un instant."
    ),
)

_FR_CA = LinkingMessages(
    not_linked=(
        "Pour faire ça, vous devez d'abord lier votre compte. Ouvrez l'application Alexa; "
        "je vous ai envoyé une carte pour commencer."
    ),
    rejected=(
        "La liaison de votre compte est expirée. Ouvrez l'application Alexa et liez votre "
        "compte de nouveau; je vous ai envoyé une carte."
    ),
    missing_scope=(
        "Pour faire ça, j'ai besoin de la permission de {permission}. Ouvrez l'application "
        "Alexa et liez votre compte de nouveau en donnant cette permission; je vous ai "
        "envoyé une carte."
    ),
    unavailable=(
        "Désolée, je ne peux pas joindre votre compte présentement. "
        "Réessayez dans quelques instants."
    ),
)

_ES = LinkingMessages(
    not_linked=(
        "Para hacer eso, primero tienes que vincular tu cuenta. Abre la app de Alexa; "
        "te he enviado allí una tarjeta para empezar."
    ),
    rejected=(
        "La vinculación de tu cuenta ha caducado. Abre la app de Alexa y vuelve a vincular "
        "tu cuenta; te he enviado allí una tarjeta."
    ),
    missing_scope=(
        "Para hacer eso, necesito permiso para {permission}. Abre la app de Alexa y vuelve a "
        "vincular tu cuenta concediendo ese permiso; te he enviado allí una tarjeta."
    ),
    unavailable=(
        "Lo siento, ahora mismo no puedo acceder a tu cuenta. Inténtalo de nuevo dentro de un rato."
    ),
)

_ES_MX = LinkingMessages(
    not_linked=(
        "Para hacer eso, primero necesitas vincular tu cuenta. Abre la aplicación de Alexa; "
        "ahí te envié una tarjeta para empezar."
    ),
    rejected=(
        "La vinculación de tu cuenta venció. Abre la aplicación de Alexa y vuelve a vincular "
        "tu cuenta; ahí te envié una tarjeta."
    ),
    missing_scope=(
        "Para hacer eso, necesito permiso para {permission}. Abre la aplicación de Alexa y "
        "vuelve a vincular tu cuenta dando ese permiso; ahí te envié una tarjeta."
    ),
    unavailable=(
        "Lo siento, en este momento no puedo conectarme con tu cuenta. Intenta de nuevo en un rato."
    ),
)

_IT = LinkingMessages(
    not_linked=(
        "Per farlo, devi prima collegare il tuo account. Apri l'app Alexa: "
        "ti ho inviato una scheda per iniziare."
    ),
    rejected=(
        "Il collegamento del tuo account è scaduto. Apri l'app Alexa e collega di nuovo "
        "il tuo account: ti ho inviato una scheda."
    ),
    missing_scope=(
        "Per farlo, mi serve l'autorizzazione a {permission}. Apri l'app Alexa e collega di "
        "nuovo il tuo account concedendo questa autorizzazione: ti ho inviato una scheda."
    ),
    unavailable=(
        "Mi dispiace, in questo momento non riesco a raggiungere il tuo account. Riprova tra poco."
    ),
)

_JA = LinkingMessages(
    not_linked=(
        "この操作を行うには、先にアカウントをリンクする必要があります。"
        "Alexaアプリにカードを送りましたので、アプリを開いてリンクしてください。"
    ),
    rejected=(
        "アカウントのリンクの有効期限が切れました。Alexaアプリにカードを送りましたので、"
        "アプリを開いてもう一度アカウントをリンクしてください。"
    ),
    missing_scope=(
        "この操作を行うには、{permission}許可が必要です。Alexaアプリにカードを送りましたので、"
        "アプリを開き、この許可を与えてもう一度アカウントをリンクしてください。"
    ),
    unavailable=(
        "すみません、今はアカウントに接続できません。しばらくしてからもう一度お試しください。"
    ),
)

_PT_BR = LinkingMessages(
    not_linked=(
        "Para fazer isso, primeiro você precisa vincular sua conta. Abra o app Alexa; "
        "enviei um cartão lá para você começar."
    ),
    rejected=(
        "A vinculação da sua conta expirou. Abra o app Alexa e vincule sua conta de novo; "
        "enviei um cartão lá."
    ),
    missing_scope=(
        "Para fazer isso, preciso de permissão para {permission}. Abra o app Alexa e vincule "
        "sua conta de novo, dando essa permissão; enviei um cartão lá."
    ),
    unavailable="Desculpe, não consigo acessar sua conta agora. Tente de novo daqui a pouco.",
)

# Hindi in Devanagari, with the English words Hindi speakers use (अकाउंट, ऐप, कार्ड, लिंक)
# written in Devanagari too; "Alexa" stays a brand name, as in Amazon's own Hindi.
_HI = LinkingMessages(
    not_linked=(
        "इसके लिए पहले अपना अकाउंट लिंक करें। Alexa ऐप खोलिए; "
        "मैंने वहाँ शुरू करने के लिए एक कार्ड भेजा है।"
    ),
    rejected=(
        "आपके अकाउंट का लिंक एक्सपायर हो गया है। कृपया Alexa ऐप खोलकर अपना अकाउंट "
        "फिर से लिंक करें; मैंने वहाँ एक कार्ड भेजा है।"
    ),
    missing_scope=(
        "इसके लिए मुझे {permission} की अनुमति चाहिए। कृपया Alexa ऐप खोलकर यह अनुमति देते हुए "
        "अपना अकाउंट फिर से लिंक करें; मैंने वहाँ एक कार्ड भेजा है।"
    ),
    unavailable=(
        "माफ़ कीजिए, अभी मैं आपके अकाउंट तक नहीं पहुँच पा रही हूँ। "
        "कृपया थोड़ी देर बाद फिर से कोशिश करें।"
    ),
)

_AR = LinkingMessages(
    not_linked=(
        "للقيام بذلك، عليك ربط حسابك أولاً. افتح تطبيق Alexa؛ "
        "لقد أرسلتُ إليك بطاقة هناك لتبدأ."
    ),
    rejected=(
        "انتهت صلاحية ربط حسابك. يُرجى فتح تطبيق Alexa وربط حسابك مرة أخرى؛ "
        "لقد أرسلتُ إليك بطاقة هناك."
    ),
    missing_scope=(
        "للقيام بذلك، أحتاج إلى إذن {permission}. يُرجى فتح تطبيق Alexa وربط حسابك مرة أخرى "
        "مع منح هذا الإذن؛ لقد أرسلتُ إليك بطاقة هناك."
    ),
    unavailable="عذرًا، لا أستطيع الوصول إلى حسابك الآن. يُرجى المحاولة مرة أخرى بعد قليل.",
)

_NL = LinkingMessages(
    not_linked=(
        "Daarvoor moet je eerst je account koppelen. Open de Alexa-app; "
        "ik heb je daar een kaart gestuurd om te beginnen."
    ),
    rejected=(
        "De koppeling met je account is verlopen. Open de Alexa-app en koppel je account "
        "opnieuw; ik heb je daar een kaart gestuurd."
    ),
    missing_scope=(
        "Daarvoor heb ik toestemming nodig om {permission}. Open de Alexa-app en koppel je "
        "account opnieuw met die toestemming; ik heb je daar een kaart gestuurd."
    ),
    unavailable="Sorry, ik kan je account nu niet bereiken. Probeer het zo nog eens.",
)

#: Every Alexa locale the library speaks (Alexa Skills Kit: "Develop skills in multiple languages").
SUPPORTED_LOCALES: tuple[str, ...] = (
    "en-US", "en-GB", "en-CA", "en-AU", "en-IN", "de-DE", "fr-FR", "fr-CA", "es-ES",
    "es-MX", "es-US", "it-IT", "ja-JP", "pt-BR", "hi-IN", "ar-SA", "nl-NL",
)

#: Default speech per locale; other locales fall back by language, then to en-US.
DEFAULT_MESSAGES: Mapping[str, LinkingMessages] = {
    "en-US": _EN,
    "en-GB": _EN_GB,
    "en-CA": _EN_CA,
    "en-AU": _EN_AU,
    "en-IN": _EN_IN,
    "de-DE": _DE,
    "fr-FR": _FR,
    "fr-CA": _FR_CA,
    "es-ES": _ES,
    "es-MX": _ES_MX,
    "es-US": _ES_MX,
    "it-IT": _IT,
    "ja-JP": _JA,
    "pt-BR": _PT_BR,
    "hi-IN": _HI,
    "ar-SA": _AR,
    "nl-NL": _NL,
}

_EN_SCOPES = {"profile": "read your profile", "*": "do what you asked"}
_ES_SCOPES = {"profile": "leer tu perfil", "*": "hacer lo que me pediste"}

#: Generic names for well-known scopes; skills pass their own labels for theirs.
#: The key ``"*"`` names the permission when the resource server did not say which.
#: Each label fits the locale's ``missing_scope`` sentence.
DEFAULT_SCOPE_LABELS: Mapping[str, Mapping[str, str]] = {
    "en-US": _EN_SCOPES,
    "en-GB": _EN_SCOPES,
    "en-CA": _EN_SCOPES,
    "en-AU": _EN_SCOPES,
    "en-IN": _EN_SCOPES,
    "de-DE": {"profile": "dein Profil zu lesen", "*": "das zu tun"},
    "fr-FR": {"profile": "lire votre profil", "*": "faire ce que vous avez demandé"},
    "fr-CA": {"profile": "lire votre profil", "*": "faire ce que vous avez demandé"},
    "es-ES": {"profile": "leer tu perfil", "*": "hacer lo que me has pedido"},
    "es-MX": _ES_SCOPES,
    "es-US": _ES_SCOPES,
    "it-IT": {"profile": "leggere il tuo profilo", "*": "fare quello che mi hai chiesto"},
    "ja-JP": {"profile": "プロフィールを読み取る", "*": "ご依頼の操作を行う"},
    "pt-BR": {"profile": "ler seu perfil", "*": "fazer o que você pediu"},
    "hi-IN": {"profile": "आपकी प्रोफ़ाइल पढ़ने", "*": "यह करने"},
    "ar-SA": {"profile": "لقراءة ملفك الشخصي", "*": "للقيام بما طلبته"},
    "nl-NL": {"profile": "je profiel te lezen", "*": "dat te doen"},
}

_EN_APOLOGY = "Sorry, something went wrong. Please try again."
_ES_LATAM_APOLOGY = "Lo siento, algo salió mal. Intenta de nuevo."

#: The apology spoken when a skill cannot answer at all (SafeSkillBuilder); per locale.
DEFAULT_APOLOGIES: Mapping[str, str] = {
    "en-US": _EN_APOLOGY,
    "en-GB": _EN_APOLOGY,
    "en-CA": _EN_APOLOGY,
    "en-AU": _EN_APOLOGY,
    "en-IN": _EN_APOLOGY,
    "de-DE": "Entschuldigung, da ist etwas schiefgelaufen. Bitte versuch es noch einmal.",
    "fr-FR": "Désolée, un problème est survenu. Veuillez réessayer.",
    "fr-CA": "Désolée, il y a eu un problème. Réessayez, s'il vous plaît.",
    "es-ES": "Lo siento, algo ha salido mal. Inténtalo de nuevo.",
    "es-MX": _ES_LATAM_APOLOGY,
    "es-US": _ES_LATAM_APOLOGY,
    "it-IT": "Mi dispiace, qualcosa è andato storto. Riprova.",
    "ja-JP": "すみません、問題が発生しました。もう一度お試しください。",
    "pt-BR": "Desculpe, algo deu errado. Tente de novo.",
    "hi-IN": "माफ़ कीजिए, कुछ गड़बड़ हो गई। कृपया फिर से कोशिश करें।",
    "ar-SA": "عذرًا، حدث خطأ ما. يُرجى المحاولة مرة أخرى.",
    "nl-NL": "Sorry, er ging iets mis. Probeer het nog eens.",
}

_EN_FALLBACK = "Sorry, I can't help with that. What would you like to do?"
_ES_LATAM_FALLBACK = "Lo siento, no puedo ayudarte con eso. ¿Qué quieres hacer?"

#: What a request no handler claims hears (account_linking.unhandled), spoken and reprompted.
DEFAULT_FALLBACKS: Mapping[str, str] = {
    "en-US": _EN_FALLBACK,
    "en-GB": _EN_FALLBACK,
    "en-CA": _EN_FALLBACK,
    "en-AU": _EN_FALLBACK,
    "en-IN": _EN_FALLBACK,
    "de-DE": "Das kann ich leider nicht. Was möchtest du tun?",
    "fr-FR": "Désolée, je ne peux pas vous aider pour ça. Que voulez-vous faire ?",
    "fr-CA": "Désolée, je ne peux pas vous aider avec ça. Qu'est-ce que vous voulez faire?",
    "es-ES": "Lo siento, con eso no puedo ayudarte. ¿Qué quieres hacer?",
    "es-MX": _ES_LATAM_FALLBACK,
    "es-US": _ES_LATAM_FALLBACK,
    "it-IT": "Mi dispiace, non posso aiutarti con questo. Cosa vuoi fare?",
    "ja-JP": "すみません、それはお手伝いできません。何をしますか？",
    "pt-BR": "Desculpe, não posso ajudar com isso. O que você quer fazer?",
    "hi-IN": "माफ़ कीजिए, मैं इसमें मदद नहीं कर सकती। आप क्या करना चाहेंगे?",
    "ar-SA": "عذرًا، لا أستطيع المساعدة في ذلك. ماذا تريد أن تفعل؟",
    "nl-NL": "Sorry, daarmee kan ik je niet helpen. Wat wil je doen?",
}
