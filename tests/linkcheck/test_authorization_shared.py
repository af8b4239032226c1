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
