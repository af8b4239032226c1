"""Bad HTTP input gets a short JSON 4xx, never a 500, and never reaches the skill."""
from __future__ import annotations

from typing import Any, Callable

import pytest

from webservice_support import Host, Pki, body_of, envelope, signed_headers


def _json_error(response: Any, status: int) -> str:
    assert response.status_code == status
    assert response.is_json
    error: str = response.get_json()["error"]
    return error


@pytest.mark.parametrize(
    "body",
    [b"{not json", b"", b"[]", b'"a string"', b'{"version": "1.0"}', b"\xff\xfe\x00",
     b'{"request": {"type": 42}}'],
)
def test_body_that_is_not_an_envelope_gets_400(
    make_host: Callable[..., Host], pki: Pki, body: bytes
) -> None:
    host = make_host()
    response = host.post(body, signed_headers(pki.alexa, body))
    assert _json_error(response, 400) == "invalid_request"
    assert host.skill.calls == 0


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", ""])
def test_wrong_content_type_gets_400(
    make_host: Callable[..., Host], pki: Pki, content_type: str
) -> None:
    host = make_host()
    body = body_of(envelope())
    headers = signed_headers(pki.alexa, body)
    headers["Content-Type"] = content_type
    assert _json_error(host.post(body, headers), 400) == "invalid_request"
    assert host.skill.calls == 0


def test_oversized_body_gets_413(make_host: Callable[..., Host], pki: Pki) -> None:
    host = make_host(WEBSERVICE_MAX_BODY_BYTES="4096")
    data = envelope()
    data["padding"] = "x" * 8192
    body = body_of(data)
    assert _json_error(host.post(body, signed_headers(pki.alexa, body)), 413)
    assert host.skill.calls == 0


def test_default_body_cap_is_128_kib(make_host: Callable[..., Host], pki: Pki) -> None:
    host = make_host()
    data = envelope()
    data["padding"] = "x" * (128 * 1024)
    body = body_of(data)
    assert _json_error(host.post(body, signed_headers(pki.alexa, body)), 413)


def test_get_on_the_endpoint_gets_json_405(make_host: Callable[..., Host]) -> None:
    host = make_host()
    assert _json_error(host.client.get("/alexa"), 405) == "method_not_allowed"


def test_unknown_path_gets_json_404(make_host: Callable[..., Host]) -> None:
    host = make_host()
    assert _json_error(host.client.post("/nope"), 404) == "not_found"
