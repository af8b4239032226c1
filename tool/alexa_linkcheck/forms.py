"""Just enough HTML understanding to find and fill a login or consent form (stdlib only)."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

#: Field names that hold the user name or e-mail address on common login pages.
USERNAME_NAMES = ("email", "username", "user", "login", "user_name", "userid", "identifier",
                  "mail", "j_username", "loginfmt")
#: Button labels, values or names that grant consent or link, in the languages of Alexa's
#: locales (en, de, fr, es, it, pt, ja, hi, ar, nl). A form whose only button is not a refusal
#: is pressed whatever its label says ("Submit", "Weiter"); these words pick among several.
ALLOW_WORDS = re.compile(
    r"allow|approve|accept|authori[sz]e|consent|yes|confirm|grant|agree|link|connect|continue"
    r"|erlauben|zulassen|akzeptieren|zustimmen|verkn[üu]pfen|autoriser|accepter|lier|associer"
    r"|permitir|aceptar|autorizar|vincular|consentire|autorizza|consenti|collega|toestaan"
    r"|koppelen|許可|同意|連携|अनुमति|سماح|موافق", re.IGNORECASE)
#: Button labels, values or names that refuse consent (same languages).
DENY_WORDS = re.compile(
    r"deny|reject|cancel|decline|refuse|\bno\b|not now|nicht jetzt|plus tard|ahora no|non ora"
    r"|ablehnen|abbrechen|verweigern|\bnein\b"
    r"|refuser|annuler|\bnon\b|rechazar|cancelar|denegar|rifiuta|annulla|negar|weigeren"
    r"|annuleren|拒否|キャンセル|अस्वीकार|رفض|إلغاء", re.IGNORECASE)
#: Class (or role) words that mark inline error messages on login pages.
ERROR_CLASS_WORDS = ("error", "alert", "invalid", "flash")
#: HTML elements without an end tag (HTML Living Standard, "void elements").
VOID_ELEMENTS = frozenset("area base br col embed hr img input link meta source track wbr".split())


@dataclass
class Field:
    """An input, select or button of a form."""

    tag: str
    type: str
    name: str
    value: str
    checked: bool = False
    text: str = ""
    #: the text of the <label> around or for the field
    label: str = ""
    id: str = ""

    @property
    def caption(self) -> str:
        """What a person reads on the button or next to the box."""
        return " ".join(f"{self.text} {self.value if self.tag == 'input' else ''} "
                        f"{self.label}".split()) or self.name

    @property
    def label_and_name(self) -> str:
        return f"{self.name} {self.value} {self.text} {self.label}"

    @property
    def is_refusal(self) -> bool:
        """True when the caption (or the name) says no."""
        return bool(DENY_WORDS.search(f"{self.value} {self.text} {self.label}")) or \
            bool(DENY_WORDS.search(self.name.replace("_", " ")))


@dataclass
class Form:
    """A form with its action, method and fields."""

    action: str
    method: str
    fields: list[Field] = field(default_factory=list)

    @property
    def password_field(self) -> Field | None:
        """The first password input, if any."""
        return next((f for f in self.fields if f.type == "password" and f.name), None)

    @property
    def submit_buttons(self) -> list[Field]:
        """Buttons and submit inputs."""
        return [f for f in self.fields
                if (f.tag == "button" and f.type in ("", "submit"))
                or (f.tag == "input" and f.type in ("submit", "image"))]

    def username_field(self) -> Field | None:
        """The input the user name or e-mail address goes into."""
        inputs = [f for f in self.fields if f.tag == "input" and f.name]
        for f in inputs:
            if f.name.lower() in USERNAME_NAMES or f.type == "email":
                return f
        return next((f for f in inputs if f.type in ("text", "")), None)

    def base_data(self) -> dict[str, str]:
        """Values the browser would send without user input (hidden fields, checked boxes)."""
        data: dict[str, str] = {}
        for f in self.fields:
            if not f.name or f.tag == "button" or f.type in ("submit", "image", "reset",
                                                             "button", "file"):
                continue
            if f.type in ("checkbox", "radio") and not f.checked:
                continue
            data.setdefault(f.name, f.value)
        return data

    def allow_button(self) -> Field | None:
        """The submit button that grants consent, if the form has one."""
        for b in self.submit_buttons:
            if ALLOW_WORDS.search(b.label_and_name) and not b.is_refusal:
                return b
        return None

    def identifier_field(self) -> Field | None:
        """The user-name input of the first step of a two-step login (no password field yet)."""
        if self.password_field is not None:
            return None
        return next((f for f in self.fields if f.tag == "input" and f.name and (
            f.type == "email" or (f.type in ("text", "") and f.name.lower() in USERNAME_NAMES))),
            None)

    def fill_checkboxes(self, data: dict[str, str]) -> list[str]:
        """Tick the form's unticked checkboxes that are not refusals; their names."""
        ticked = []
        for f in self.fields:
            if f.type == "checkbox" and f.name and not f.checked and not f.is_refusal:
                data.setdefault(f.name, f.value or "on")
                ticked.append(f.name)
        return ticked


@dataclass
class Page:
    """What linkcheck needs to know of one HTML page."""

    forms: list[Form] = field(default_factory=list)
    scripts: list[str] = field(default_factory=list)
    script_srcs: list[str] = field(default_factory=list)
    event_handlers: list[str] = field(default_factory=list)
    viewport: str | None = None
    text: list[str] = field(default_factory=list)
    #: texts of elements whose class or role says error/alert/invalid/flash (inline errors)
    errors: list[str] = field(default_factory=list)


class _PageParser(HTMLParser):
    """Collects forms, scripts, event handler attributes and the viewport meta tag."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.page = Page()
        self._form: Form | None = None
        self._button: Field | None = None
        self._in_script = False
        self._in_style = False
        self._in_error = 0
        self._error_text: list[str] = []
        self._label: list[str] | None = None
        self._label_for = ""
        self._label_fields: list[Field] = []
        self._labels_by_id: dict[str, str] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k.lower(): (v or "") for k, v in attrs}
        for k, v in a.items():
            if k.startswith("on") or v.strip().lower().startswith("javascript:"):
                self.page.event_handlers.append(v)
        if tag == "meta" and a.get("name", "").lower() == "viewport":
            self.page.viewport = a.get("content", "")
        elif tag == "script":
            self._in_script = True
            if a.get("src"):
                self.page.script_srcs.append(a["src"])
        elif tag in ("style", "title"):
            self._in_style = True
        elif tag == "label":
            self._label, self._label_for, self._label_fields = [], a.get("for", ""), []
        elif tag == "form":
            self._form = Form(a.get("action", ""), (a.get("method") or "get").lower())
            self.page.forms.append(self._form)
        elif self._form is not None and tag in ("input", "select", "textarea", "button"):
            default_type = "submit" if tag == "button" else ("text" if tag == "input" else tag)
            f = Field(tag, a.get("type", default_type).lower(), a.get("name", ""),
                      a.get("value", ""), "checked" in a, id=a.get("id", ""))
            self._form.fields.append(f)
            if self._label is not None:
                self._label_fields.append(f)
            if tag == "button":
                self._button = f
        if tag not in VOID_ELEMENTS:
            marks = f"{a.get('class', '')} {a.get('role', '')}".lower()
            if self._in_error or any(word in marks for word in ERROR_CLASS_WORDS):
                self._in_error += 1

    def handle_endtag(self, tag: str) -> None:
        if self._in_error and tag not in VOID_ELEMENTS:
            self._in_error -= 1
            if not self._in_error and self._error_text:
                self.page.errors.append(" ".join(" ".join(self._error_text).split()))
                self._error_text = []
        if tag == "label" and self._label is not None:
            text = " ".join(" ".join(self._label).split())
            for f in self._label_fields:
                f.label = text
            if self._label_for:
                self._labels_by_id[self._label_for] = text
            self._label = None
        if tag == "form":
            self._form = None
        elif tag == "button":
            self._button = None
        elif tag == "script":
            self._in_script = False
        elif tag in ("style", "title"):
            self._in_style = False

    def handle_data(self, data: str) -> None:
        if self._label is not None:
            self._label.append(data)
        if self._in_error and not self._in_script and data.strip():
            self._error_text.append(data.strip())
        if self._in_script:
            self.page.scripts.append(data)
        elif self._button is not None:
            self._button.text += data
        elif not self._in_style and data.strip():
            self.page.text.append(data.strip())


def parse_page(html: str) -> Page:
    """Parse an HTML page; never raises on malformed markup."""
    parser = _PageParser()
    parser.feed(html)
    parser.close()
    for form in parser.page.forms:
        for f in form.fields:
            if f.id and not f.label:
                f.label = parser._labels_by_id.get(f.id, "")
    return parser.page


#: JavaScript that opens pop-ups or message boxes, forbidden on the login page.
POPUP_CALLS = re.compile(r"(?<![\w.$])(?:window\.)?(alert|confirm|prompt)\s*\(|window\.open\s*\(")
