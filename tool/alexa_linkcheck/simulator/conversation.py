"""A device talking to a skill through the Alexa service: sessions, locale, linked tokens."""
from __future__ import annotations

import dataclasses
import datetime as dt
import html
import json
import re
import urllib.parse
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping

import requests

from . import envelopes, linking
from ..forms import parse_page
from .clock import SimulatorClock
from .envelopes import EnvelopeBuilder, Identity, SessionState
from .errors import LinkingError, SimulatorError, TargetError, TokenEndpointError
from .model import InteractionModel, Resolution, event_subscriptions
from .targets import SkillTarget

#: Card type of an account-linking card (ask_sdk_model.ui.LinkAccountCard).
LINK_ACCOUNT_CARD = "LinkAccount"
#: Query, fragment and form fields whose values are secrets: masked in the linking trace.
SECRET_FIELDS = frozenset({"code", "access_token", "refresh_token", "id_token", "token", "client_secret",
                           "password", "code_verifier"})
#: Request timestamp sources: the simulator clock, or the wall clock (signed web
#: requests must be within 150 s of the host's clock, ALEXA-FACTS.md).
SIMULATED = "simulated"
WALL = "wall"


def ssml_to_text(ssml: str) -> str:
    """What a listener hears, roughly: SSML without tags."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", ssml)).split())


@dataclasses.dataclass(frozen=True)
class Reply:
    """The parts of a skill response a user notices."""

    speech: str
    reprompt: str | None
    card_type: str | None
    card_title: str | None
    card_text: str | None
    should_end_session: bool | None
    directives: tuple[Mapping[str, Any], ...]

    @classmethod
    def from_envelope(cls, envelope: Mapping[str, Any]) -> "Reply":
        """Read a response envelope (`{"version", "sessionAttributes", "response"}`)."""
        response = envelope.get("response")
        if not isinstance(response, Mapping):
            raise TargetError("the skill's answer has no response object")

        def speech_of(part: Any) -> str | None:
            if not isinstance(part, Mapping):
                return None
            if part.get("type") == "SSML":
                return ssml_to_text(str(part.get("ssml", "")))
            return str(part.get("text", "")) if "text" in part else None

        card = response.get("card") if isinstance(response.get("card"), Mapping) else None
        reprompt = response.get("reprompt")
        return cls(
            speech=speech_of(response.get("outputSpeech")) or "",
            reprompt=speech_of(reprompt.get("outputSpeech")) if isinstance(reprompt, Mapping) else None,
            card_type=card.get("type") if card else None,
            card_title=card.get("title") if card else None,
            card_text=(card.get("content") or card.get("text")) if card else None,
            should_end_session=response.get("shouldEndSession"),
            directives=tuple(response.get("directives") or ()),
        )


@dataclasses.dataclass(frozen=True)
class Turn:
    """One request sent to the skill and what came back."""

    label: str
    request: Mapping[str, Any]
    response: Mapping[str, Any]
    reply: Reply
    session_ended: bool


@dataclasses.dataclass
class AccountLink:
    """The tokens Alexa holds for a linked user, with their expiry on the simulator clock."""

    tokens: linking.TokenSet
    expires_at: dt.datetime
    refresh_failed: str | None = None  #: OAuth error of the last failed refresh
    #: tokens revoked at the authorization server since they were stored ("refresh", "access");
    #: Alexa is never told, so it keeps using them
    revoked: set[str] = dataclasses.field(default_factory=set)
    #: when the access token expires in real time, as the authorization server sees it (None: unknown)
    real_expires_at: dt.datetime | None = None


@dataclasses.dataclass(frozen=True)
class LinkStep:
    """One step of the linking flow as the Alexa app and the Alexa service take it (secrets masked)."""

    title: str  #: "authorization request", "login page", "login", "consent", "redirect to Alexa", ...
    detail: str  #: the URL, form or answer of the step


_SECRET_PARAMETER = re.compile(r"([?&#](?:%s)=)[^&#]*" % "|".join(sorted(SECRET_FIELDS)))


def mask_url(url: str) -> str:
    """The URL as sent, with secret query and fragment values (code, tokens) replaced by ***."""
    return _SECRET_PARAMETER.sub(r"\1***", url)


class _LinkObserver:
    """A `requests` response hook that turns each HTTP exchange of the linking flow into LinkSteps."""

    def __init__(self, config: linking.LinkingConfig, password: str, emit: Callable[[LinkStep], None]) -> None:
        self.config = config
        self.password = password
        self.emit = emit
        self.first = True

    def __call__(self, response: requests.Response, *args: Any, **kwargs: Any) -> None:
        try:
            self._observe(response)
        except Exception as error:  # a trace must never break the flow it watches
            self.emit(LinkStep("trace", f"cannot describe this step: {error!r}"))

    def _form(self, request: requests.PreparedRequest) -> list[tuple[str, str]]:
        body = request.body or ""
        text = body.decode("utf-8", "replace") if isinstance(body, bytes) else str(body)
        return urllib.parse.parse_qsl(text, keep_blank_values=True)

    def _fields(self, form: list[tuple[str, str]]) -> str:
        shown = []
        for key, value in form:
            secret = key in SECRET_FIELDS or value == self.password or "csrf" in key.lower() or "token" in key.lower()
            shown.append(f"{key}={'***' if secret and value else value}")
        return ", ".join(shown) or "no fields"

    def _observe(self, response: requests.Response) -> None:
        request = response.request
        url = str(request.url)
        if request.method == "POST" and url.split("?")[0] == self.config.token_url.split("?")[0]:
            sent = dict(self._form(request))
            how = ("HTTP Basic (Authorization: Basic ***)" if "Authorization" in request.headers
                   else "client_id and client_secret=*** in the form")
            self.emit(LinkStep("token exchange (the Alexa service, not the app)",
                               f"POST {url} grant_type={sent.get('grant_type')}, code=***, "
                               f"redirect_uri={sent.get('redirect_uri')}; client authentication: {how}"))
            self.emit(LinkStep("token response", _describe_token_response(response)))
            return
        if self.first:
            self.first = False
            self.emit(LinkStep("authorization request (the Alexa app opens the authorization URL)",
                               f"{request.method} {mask_url(url)}"))
        elif request.method == "POST":
            form = self._form(request)
            kind = "login" if any(value == self.password for _, value in form) else "consent"
            self.emit(LinkStep(kind, f"POST {mask_url(url)} ({self._fields(form)})"))
        else:
            self.emit(LinkStep("follow redirect", f"GET {mask_url(url)}"))
        self.emit(self._answer(response))

    def _answer(self, response: requests.Response) -> LinkStep:
        status = response.status_code
        location = response.headers.get("Location")
        if 300 <= status < 400 and location:
            target = urllib.parse.urljoin(str(response.url), location)
            if target.split("?")[0].split("#")[0] == self.config.redirect_uri:
                return LinkStep("redirect to Alexa (the app stops here and hands the code to the Alexa service)",
                                f"HTTP {status} Location: {mask_url(target)}")
            return LinkStep("redirect", f"HTTP {status} to {mask_url(target)}")
        if status != 200:
            return LinkStep("answer", f"HTTP {status}")
        page = parse_page(response.text)
        said = f"; the page says: {'; '.join(page.errors)}" if page.errors else ""
        if any(form.password_field for form in page.forms):
            return LinkStep("login page", f"HTTP 200, a form with a password field{said}")
        if any(form.allow_button() for form in page.forms):
            return LinkStep("consent page", f"HTTP 200, a form with an allow button{said}")
        return LinkStep("answer", f"HTTP 200, no login or consent form{said}")


def _describe_token_response(response: requests.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return f"HTTP {response.status_code}, not JSON ({response.headers.get('Content-Type')})"
    if not isinstance(body, dict):
        return f"HTTP {response.status_code}, JSON that is not an object"
    if "error" in body:
        description = f" ({body.get('error_description')})" if body.get("error_description") else ""
        return f"HTTP {response.status_code} error={body['error']}{description}"
    parts = [f"{key}={'***' if key in SECRET_FIELDS else json.dumps(value) if not isinstance(value, str) else value}"
             for key, value in body.items()]
    return f"HTTP {response.status_code} " + ", ".join(parts)


class Conversation:
    """Plays the Alexa service and one device: turns utterances into requests for a skill."""

    def __init__(
        self,
        target: SkillTarget,
        skill_package: Path | None = None,
        *,
        locale: str = "en-US",
        clock: SimulatorClock | None = None,
        identity: Identity | None = None,
        linking_config: linking.LinkingConfig | None = None,
        credentials: tuple[str, str] | None = None,
        timestamps: str = SIMULATED,
        note: Callable[[str], None] | None = None,
        models: Mapping[str, InteractionModel] | None = None,
        revocation_url: str | None = None,
        subscriptions: Iterable[str] | None = None,
    ) -> None:
        self.target = target
        self.skill_package = Path(skill_package) if skill_package else None
        self.clock = clock or SimulatorClock()
        self.identity = identity or Identity()
        self.builder = EnvelopeBuilder(self.identity)
        self.linking_config = linking_config
        self.credentials = credentials
        self.revocation_url = revocation_url
        self.timestamps = timestamps
        self.note = note or (lambda message: None)
        #: called with each request envelope of a turn just before it is sent (the transcript's :verbose)
        self.on_request: Callable[[Mapping[str, Any]], None] = lambda envelope: None
        self._models: dict[str, InteractionModel] = dict(models or {})
        #: skill events the skill subscribes to (default: the skill package's skill.json)
        self.subscriptions = frozenset(subscriptions) if subscriptions is not None else event_subscriptions(self.skill_package)
        self.locale = locale
        _ = self.model  # fail early on a missing locale
        self.session: SessionState | None = None
        self.account: AccountLink | None = None
        #: every request and answer of the last link (`simulate --html`), and how it ended
        self.link_trace: list[Any] = []
        self.link_outcome: object = None
        self._last_intent: str | None = None
        self._dialog_open = False
        #: (intent, slot, slots of updatedIntent) after a Dialog.ElicitSlot, until the next turn
        self._elicit: tuple[str, str, dict[str, Any]] | None = None
        self._reprompt: str | None = None  #: reprompt of the last reply, until it was played
        self.turns: list[Turn] = []
        self.refreshes = 0  #: successful token refreshes so far

    # -- configuration -----------------------------------------------------------------------
    @property
    def model(self) -> InteractionModel:
        """The interaction model of the current locale (loaded once)."""
        if self.locale not in self._models:
            if self.skill_package is None:
                raise SimulatorError(f"no interaction model for {self.locale} and no skill package")
            self._models[self.locale] = InteractionModel.load(self.skill_package, self.locale, self.identity.skill_id)
        return self._models[self.locale]

    def set_locale(self, locale: str) -> None:
        """Switch the device language; the open session (if any) is dropped."""
        previous = self.locale
        self.locale = locale
        try:
            _ = self.model
        except SimulatorError:
            self.locale = previous
            raise
        self.session = None

    def advance(self, seconds: float) -> None:
        """Move the simulator clock forward."""
        self.clock.advance(seconds)
        self.note(f"clock advanced {seconds:g} s (Alexa's clock only; the skill and the servers keep real time)")

    def _moment(self) -> dt.datetime:
        return self.clock.now() if self.timestamps == SIMULATED else self.clock.wall()

    # -- account linking --------------------------------------------------------------------
    def store_tokens(self, tokens: linking.TokenSet) -> None:
        """Keep tokens as Alexa does, with expiry from expires_in (or the configured default)."""
        lifetime = tokens.expires_in
        if lifetime is None:
            lifetime = self.linking_config.default_expiration if self.linking_config else linking.DEFAULT_TOKEN_EXPIRATION
        self.account = AccountLink(tokens, self.clock.now() + dt.timedelta(seconds=lifetime),
                                   real_expires_at=self.clock.wall() + dt.timedelta(seconds=lifetime))

    def link(self, username: str | None = None, password: str | None = None, *,
             on_step: Callable[[LinkStep], None] | None = None) -> Turn | None:
        """Run the linking flow in the 'Alexa app', store the tokens, send SkillAccountLinked.

        `on_step` sees every HTTP step of the flow (secrets masked). Returns the event's turn,
        or None when the skill does not subscribe to SKILL_ACCOUNT_LINKED.
        """
        if self.linking_config is None:
            raise LinkingError("no account linking configuration (use --account-linking or --authorization-url)")
        if username is None or password is None:
            if self.credentials is None:
                raise LinkingError("no test user credentials for linking (use --user and --password-env)")
            username, password = self.credentials
        http = requests.Session()
        if on_step is not None:
            http.hooks["response"].append(_LinkObserver(self.linking_config, password, on_step))
        self.link_trace = []
        self.link_outcome = None
        try:
            tokens = linking.link_account(self.linking_config, username, password, locale=self.locale, http=http,
                                          on_step=self.link_trace.append)
        except LinkingError as error:
            self.link_outcome = error
            raise
        self.link_outcome = tokens
        self.store_tokens(tokens)
        self.note(f"account linked for {username}; access token expires in {tokens.expires_in or 'default'} s")
        return self.event_account_linked()

    def subscribes(self, request_type: str) -> bool:
        """Whether the skill's manifest subscribes to this skill event."""
        return envelopes.SUBSCRIPTION_NAMES[request_type] in self.subscriptions

    def unlink(self) -> None:
        """Forget the tokens, as disabling and re-enabling the skill does."""
        self.account = None
        self.note("account unlinked: tokens forgotten")

    def revoke_on_server(self, which: str = "refresh") -> None:
        """Revoke the stored refresh (or access) token at the server's RFC 7009 endpoint.

        Alexa never does this; it stands for a user removing access on the service's site.
        """
        if self.account is None:
            raise LinkingError("no linked account whose token could be revoked")
        if self.linking_config is None or not self.revocation_url:
            raise LinkingError("no revocation URL configured (use --revocation-url)")
        token = self.account.tokens.refresh_token if which == "refresh" else self.account.tokens.access_token
        if not token:
            raise LinkingError(f"no {which} token stored")
        linking.revoke(self.linking_config, self.revocation_url, token, f"{which}_token")
        self.account.revoked.add(which)
        self.note(f"{which} token revoked at the authorization server; Alexa is not told and keeps it")

    def access_token(self) -> str | None:
        """The token Alexa puts into the next request, refreshing it first when expired."""
        account = self.account
        if account is None:
            return None
        if self.clock.now() >= account.expires_at and account.refresh_failed is None:
            refresh_token = account.tokens.refresh_token
            if refresh_token and self.linking_config is not None:
                try:
                    self.store_tokens(linking.refresh(self.linking_config, refresh_token))
                    self.refreshes += 1
                    self.note("access token expired: refreshed at the token URL")
                except TokenEndpointError as error:
                    account.refresh_failed = error.error
                    self.note(f"access token expired: refresh failed ({error.error}); Alexa keeps sending the dead token")
                except LinkingError as error:
                    self.note(f"access token expired: refresh not possible now ({error}); will retry")
        return self.account.tokens.access_token if self.account else None

    # -- requests ---------------------------------------------------------------------------
    def _session_for(self, new_session: bool) -> SessionState:
        if new_session or self.session is None:
            self.session = SessionState()
            self._dialog_open, self._elicit, self._reprompt = False, None, None
        return self.session

    def say(self, utterance: str) -> Turn:
        """Resolve an utterance with the interaction model and send the matching request.

        After a Dialog.ElicitSlot the answer is first matched against that slot's samples
        (unless it is a word-for-word match of another sample, such as "stop").
        """
        resolution = self.model.resolve(utterance)
        elicit = self._elicit
        if elicit is not None and self.session is not None and not resolution.new_session and not resolution.exact:
            intent, slot, current = elicit
            filled = self.model.resolve_slot(utterance, intent, slot)
            if filled is not None:
                slots = {**self.model.declared_slots(intent), **current, **filled}
                resolution = Resolution(kind="intent", intent=intent, slots=slots, dialog_state="IN_PROGRESS")
        return self.send(resolution, label=utterance)

    def send(self, resolution: Resolution, label: str = "") -> Turn:
        """Send a resolved launch or intent request in the current (or a new) session."""
        token = self.access_token()
        session = self._session_for(resolution.new_session)
        if resolution.kind == "launch":
            envelope = self.builder.launch(session=session, locale=self.locale, moment=self._moment(), access_token=token)
            self._last_intent = None
        else:
            assert resolution.intent is not None
            dialog_state = resolution.dialog_state
            if dialog_state is None and resolution.intent in self.model.dialog_intents:
                dialog_state = "IN_PROGRESS" if self._dialog_open and self._last_intent == resolution.intent else "STARTED"
            envelope = self.builder.intent(
                resolution.intent, resolution.slots, session=session, locale=self.locale,
                moment=self._moment(), access_token=token, dialog_state=dialog_state,
            )
            self._last_intent = resolution.intent
        return self._exchange(envelope, label or resolution.intent or "launch")

    def intent(self, name: str, slots: Mapping[str, str] | None = None) -> Turn:
        """Send an intent by name with raw slot values (no utterance resolution)."""
        values = {key: {"name": key, "value": value, "confirmationStatus": "NONE"} for key, value in (slots or {}).items()}
        return self.send(Resolution(kind="intent", intent=name, slots=values), label=name)

    def end_session(self, reason: str = envelopes.USER_INITIATED) -> Turn | None:
        """Send a SessionEndedRequest for the open session (none when no session is open)."""
        if self.session is None:
            return None
        session = self.session
        session.new = False
        envelope = self.builder.session_ended(reason, session=session, locale=self.locale,
                                              moment=self._moment(), access_token=self.access_token())
        self.session = None
        response = self.target.invoke(envelope)
        turn = Turn(f"(session ended: {reason})", envelope, response, _reply_or_empty(response), True)
        self.turns.append(turn)
        return turn

    def silence(self) -> Turn | None:
        """The user says nothing: Alexa plays the reprompt once, then ends the session.

        Returns a turn without a request for the reprompt, the SessionEndedRequest
        (EXCEEDED_MAX_REPROMPTS) turn after that, or None when no session is open.
        """
        if self.session is None:
            return None
        if self._reprompt:
            speech, self._reprompt = self._reprompt, None
            reply = Reply(speech, None, None, None, None, False, ())
            turn = Turn("(silence: Alexa plays the reprompt)", {}, {}, reply, False)
            self.turns.append(turn)
            return turn
        return self.end_session(envelopes.EXCEEDED_MAX_REPROMPTS)

    def event_account_linked(self) -> Turn | None:
        """Send AlexaSkillEvent.SkillAccountLinked with the stored access token (None: not subscribed)."""
        if self.account is None:
            raise LinkingError("no linked account to announce")
        if not self._subscribed(envelopes.ACCOUNT_LINKED_EVENT):
            return None
        envelope = self.builder.account_linked(self.account.tokens.access_token, locale=self.locale, moment=self._moment())
        return self._event(envelope, "(event: SkillAccountLinked)")

    def event_skill_disabled(self) -> Turn | None:
        """The user disables the skill: send AlexaSkillEvent.SkillDisabled (when subscribed); Alexa forgets the tokens."""
        turn = None
        if self._subscribed(envelopes.SKILL_DISABLED_EVENT):
            envelope = self.builder.skill_disabled(locale=self.locale, moment=self._moment(), access_token=self.access_token())
            turn = self._event(envelope, "(event: SkillDisabled)")
        self.account = None
        self.session = None
        return turn

    def _subscribed(self, request_type: str) -> bool:
        if self.subscribes(request_type):
            return True
        name = envelopes.SUBSCRIPTION_NAMES[request_type]
        self.note(f"no {request_type.split('.')[-1]} event sent: the skill's manifest does not subscribe to {name} "
                  "(skill.json events.subscriptions)")
        return False

    def _event(self, envelope: Mapping[str, Any], label: str) -> Turn:
        response = self.target.invoke(envelope)
        turn = Turn(label, envelope, response, _reply_or_empty(response), False)
        self.turns.append(turn)
        return turn

    def _exchange(self, envelope: Mapping[str, Any], label: str) -> Turn:
        session = self.session
        assert session is not None
        self.on_request(envelope)
        try:
            response = self.target.invoke(envelope)
            reply = Reply.from_envelope(response)
        except TargetError:
            # Alexa tells the skill its answer failed, then closes the session.
            self.session = None
            try:
                self.target.invoke(self.builder.session_ended(
                    envelopes.ERROR, session=session, locale=self.locale, moment=self._moment(),
                    access_token=self.account.tokens.access_token if self.account else None))
            except SimulatorError:
                pass
            raise
        ended = reply.should_end_session is True or (
            reply.should_end_session is None and not self.identity.has_screen)
        self._dialog_open = any(str(d.get("type", "")).startswith("Dialog.") for d in reply.directives)
        self._elicit = None
        self._reprompt = None if ended else reply.reprompt
        for directive in reply.directives:
            if directive.get("type") == "Dialog.ElicitSlot" and not ended:
                updated = directive.get("updatedIntent") or {}
                intent_name = str(updated.get("name") or self._last_intent or "")
                slots = {str(k): dict(v) for k, v in (updated.get("slots") or {}).items() if isinstance(v, Mapping)}
                self._elicit = (intent_name, str(directive.get("slotToElicit", "")), slots)
        if ended:
            self.session = None
        else:
            session.new = False
            attributes = response.get("sessionAttributes")
            session.attributes = dict(attributes) if isinstance(attributes, Mapping) else {}
        turn = Turn(label, envelope, response, reply, ended)
        self.turns.append(turn)
        return turn


def _reply_or_empty(response: Mapping[str, Any]) -> Reply:
    try:
        return Reply.from_envelope(response)
    except TargetError:
        return Reply("", None, None, None, None, None, ())
