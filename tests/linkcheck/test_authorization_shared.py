"""linkcheck.authorization: the client authentication both `alexa-linkcheck server` and `simulate` send."""
from __future__ import annotations

import base64
from urllib.parse import unquote

import pytest

from alexa_linkcheck.authorization import client_authentication


def test_http_basic_form_urlencodes_id_and_secret_before_base64_as_rfc_6749_requires() -> None:
    headers, form = client_authentication("HTTP_BASIC", "alexa:skill", "s3cr/t+=%", {"grant_type": "refresh_token"})
    raw = base64.b64decode(headers["Authorization"].removeprefix("Basic ")).decode()
    client_id, _, secret = raw.partition(":")
    assert (unquote(client_id), unquote(secret)) == ("alexa:skill", "s3cr/t+=%")
    assert form == {"grant_type": "refresh_token"}


def test_request_body_credentials_put_id_and_secret_in_the_form_only() -> None:
    headers, form = client_authentication("REQUEST_BODY_CREDENTIALS", "alexa-skill", "s", {"code": "c"})
    assert headers == {}
    assert form == {"code": "c", "client_id": "alexa-skill", "client_secret": "s"}


def test_unknown_scheme_is_refused_by_name() -> None:
    with pytest.raises(ValueError, match="unknown accessTokenScheme 'BEARER'"):
        client_authentication("BEARER", "alexa-skill", "s", {})


# -- one rule for every token-answer field, the same for `server` and `simulate` ------------
import json  # noqa: E402

from alexa_linkcheck.simulator.errors import TokenEndpointError  # noqa: E402
from alexa_linkcheck.simulator.linking import tokens_from  # noqa: E402
from alexa_linkcheck.token_answer import judge, read_token_answer  # noqa: E402

GOOD = {"access_token": "a" * 20, "token_type": "Bearer", "expires_in": 3600,
        "refresh_token": "r" * 20}
ANSWERS = [
    # (id, body, content type, the expires_in both read, server's worst verdict)
    ("integer-expires-in", json.dumps(GOOD), "application/json", 3600, "pass"),
    ("string-expires-in", json.dumps({**GOOD, "expires_in": "3600"}), "application/json", 3600,
     "warn"),
    ("absent-expires-in", json.dumps({k: v for k, v in GOOD.items() if k != "expires_in"}),
     "application/json", None, "warn"),
    ("lower-case-bearer", json.dumps({**GOOD, "token_type": "bearer"}), "application/json",
     3600, "pass"),
    ("short-expires-in", json.dumps({**GOOD, "expires_in": 60}), "application/json", 60, "warn"),
    ("words-in-expires-in", json.dumps({**GOOD, "expires_in": "1h"}), "application/json", None,
     "fail"),
    # str.isdigit() says yes to these, int() does not (or reads them as another number)
    ("superscript-digit-expires-in", json.dumps({**GOOD, "expires_in": "\u00b2"}),
     "application/json", None, "fail"),
    ("arabic-indic-digits-expires-in", json.dumps({**GOOD, "expires_in": "\u0663\u0666\u0660\u0660"}),
     "application/json", None, "fail"),
    ("5000-digit-expires-in", json.dumps({**GOOD, "expires_in": "1" * 5000}),
     "application/json", None, "fail"),
    ("zero-expires-in", json.dumps({**GOOD, "expires_in": 0}), "application/json", None, "fail"),
    ("mac-token-type", json.dumps({**GOOD, "token_type": "mac"}), "application/json", 3600,
     "fail"),
    ("form-encoded", "access_token=aaaaaaaaaa&token_type=Bearer&expires_in=3600&refresh_token=rrrr",
     "application/x-www-form-urlencoded", 3600, "fail"),
    ("json-sent-as-text", json.dumps(GOOD), "text/plain", 3600, "fail"),
]


@pytest.mark.parametrize("body,ctype,seconds,worst", [pytest.param(*a[1:], id=a[0])
                                                      for a in ANSWERS])
def test_server_and_simulate_read_every_token_answer_field_the_same_way(
        body: str, ctype: str, seconds: int | None, worst: str) -> None:
    answer = read_token_answer(200, ctype, body)
    verdicts = {v.verdict for v in judge(answer)}
    server_worst = "fail" if "fail" in verdicts else "warn" if "warn" in verdicts else "pass"
    assert (answer.expires_in, server_worst) == (seconds, worst)
    if worst == "fail":  # what `server` fails, `simulate` refuses to link with
        with pytest.raises(TokenEndpointError, match="invalid_response"):
            tokens_from(answer)
    else:
        assert tokens_from(answer).expires_in == seconds


# -- which button a person grants consent with -------------------------------------------
from alexa_linkcheck.authorization import choose_consent  # noqa: E402
from alexa_linkcheck.forms import parse_page  # noqa: E402


@pytest.mark.parametrize("html,pressed", [
    ('<form method=post><label><input type=checkbox name=confirm> Consent?</label>'
     '<button>Submit</button></form>', "Submit"),
    ('<form method=post><button name=d value=x>Nicht jetzt</button>'
     '<button name=d value=ok>Zulassen</button></form>', "Zulassen"),
    ('<form method=post><input type=submit value="Annuler"><input type=submit name=go '
     'value="Lier le compte"></form>', "Lier le compte"),
    ('<form method=post><button>キャンセル</button><button name=y value=1>許可する</button></form>',
     "許可する"),
])
def test_consent_is_granted_with_the_allow_button_in_any_language(html: str, pressed: str) -> None:
    choice = choose_consent(parse_page(html), None)
    assert choice is not None and choice[1] is not None and choice[1].caption == pressed


def test_a_search_form_is_never_taken_for_a_consent_form() -> None:
    page = parse_page('<form action=/search><input name=q><button>Search</button></form>')
    assert choose_consent(page, None) is None


from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from urllib.parse import urlencode  # noqa: E402

FIELD_VALUES = st.one_of(st.none(), st.booleans(), st.integers(-10, 10**6),
                         st.floats(allow_nan=False, allow_infinity=False),
                         st.text(max_size=8), st.integers(0, 10**6).map(str))


@settings(max_examples=300, deadline=None)
@given(expires=FIELD_VALUES, token_type=st.one_of(st.none(), st.sampled_from(
    ["Bearer", "bearer", "BEARER", "mac", "", "Bearer "])), form=st.booleans(),
    refresh=st.booleans())
def test_server_fails_exactly_the_answers_simulate_refuses(
        expires: object, token_type: object, form: bool, refresh: bool) -> None:
    fields: dict[str, object] = {"access_token": "a" * 20}
    if token_type is not None:
        fields["token_type"] = token_type
    if expires is not None:
        fields["expires_in"] = expires
    if refresh:
        fields["refresh_token"] = "r" * 20
    body = urlencode({k: str(v) for k, v in fields.items()}) if form else json.dumps(fields)
    answer = read_token_answer(200, "application/x-www-form-urlencoded" if form
                               else "application/json", body)
    server_fails = {v.check for v in judge(answer) if v.verdict == "fail"} - {"refresh-token"}
    try:
        tokens = tokens_from(answer)
    except TokenEndpointError:
        assert server_fails
    else:
        assert not server_fails
        assert tokens.expires_in == answer.expires_in
