"""A refused authorization request says why in the service log (issue 17: "Cannot continue"
with nothing in the log), without writing the request's state or redirect URI there."""
from __future__ import annotations

import logging

import pytest

from .conftest import NA_REDIRECT


@pytest.mark.parametrize("query, reason", [
    ({"client_id": "alexa-skill", "response_type": "code", "redirect_uri": NA_REDIRECT,
      "scope": "profile"}, "no state parameter"),
    ({"client_id": "nobody", "response_type": "code", "redirect_uri": NA_REDIRECT, "scope": "profile",
      "state": "s3cr3t-state"}, "invalid_client"),
    ({"client_id": "alexa-skill", "response_type": "code", "redirect_uri": "https://evil.example/cb",
      "scope": "profile", "state": "s3cr3t-state"}, "redirect"),
], ids=["no-state", "unknown-client", "unregistered-redirect"])
def test_refused_authorization_request_is_logged_with_its_reason(client, alexa_clients, caplog, query, reason):
    query = {**query, "client_id": alexa_clients["HTTP_BASIC"].client_id} if query["client_id"] == "alexa-skill" else query
    with caplog.at_level(logging.WARNING, logger="ride_hailer_service"):
        answer = client.get("/oauth/authorize", query_string=query)
    assert answer.status_code == 400
    lines = [r.getMessage() for r in caplog.records if "refused an authorization request" in r.getMessage()]
    assert len(lines) == 1 and reason in lines[0], lines
    assert "s3cr3t-state" not in lines[0] and "evil.example" not in lines[0]
