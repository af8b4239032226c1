"""Suite 3: the OpenAPI document describes the live service; schemathesis finds no breach.

schemathesis generates requests from ride_hailer_service/openapi.json (served at
GET /api/v1/openapi.json) and sends them to gunicorn on 127.0.0.1 with a real bearer token
(from a real link) or the client's real HTTP Basic credentials.
"""
from __future__ import annotations

import os

import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from .relsvc_harness import SOAK, linked_tokens, me

CHECKS = [not_a_server_error, response_schema_conformance, status_code_conformance, content_type_conformance]

#: Examples per operation and generation mode: bounded in make test, more under make soak.
EXAMPLES = int(os.environ.get("RELIABILITY_SCHEMATHESIS_EXAMPLES", "80" if SOAK else "40"))


def test_openapi_document_is_served_and_names_every_api_route(service):
    answer = requests.get(service.url + "/api/v1/openapi.json", timeout=10)
    assert answer.status_code == 200
    assert answer.headers["Content-Type"] == "application/json"
    document = answer.json()
    assert document["openapi"].startswith("3.")
    assert set(document["paths"]) == {
        "/api/v1/me", "/api/v1/fares/estimate", "/api/v1/rides", "/api/v1/rides/current",
        "/api/v1/rides/current/cancel", "/oauth/token",
    }
    schemes = document["components"]["securitySchemes"]
    assert schemes["bearerToken"]["scheme"] == "bearer" and schemes["clientSecretBasic"]["scheme"] == "basic"


def _run_schemathesis(service, seeded, headers_for, figures) -> None:
    schema = schemathesis.openapi.from_url(service.url + "/api/v1/openapi.json")
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) == 6
    calls = 0
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

            @settings(
                max_examples=EXAMPLES, deadline=None, database=None, derandomize=not SOAK,
                phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck),
            )
            @given(case=operation.as_strategy(generation_mode=mode))
            def check(case) -> None:
                nonlocal calls
                calls += 1
                case.call_and_validate(base_url=service.url, headers=headers_for(operation, case), checks=CHECKS)

            check()
    figures.append(f"schemathesis: {calls} requests over {len(operations)} operations, {EXAMPLES} examples per operation and mode, no failed check")


def test_schemathesis_finds_no_server_error_or_schema_breach_with_valid_credentials(service, seeded, figures):
    tokens = linked_tokens(service.url, seeded.basic)
    assert me(service.url, tokens["access_token"]).status_code == 200

    def headers_for(operation, case):
        if operation.path == "/oauth/token":
            # real HTTP Basic credentials of the client; the generated body says what to do
            import base64

            raw = f"{seeded.basic.client_id}:{seeded.basic.secret}".encode()
            return {"Authorization": "Basic " + base64.b64encode(raw).decode()}
        if operation.path == "/api/v1/fares/estimate":
            return None
        return {"Authorization": "Bearer " + tokens["access_token"]}

    _run_schemathesis(service, seeded, headers_for, figures)
    # the link survived everything schemathesis sent
    assert me(service.url, tokens["access_token"]).status_code == 200


def test_schemathesis_finds_no_breach_with_revoked_token_and_body_credentials(service, seeded, figures):
    tokens = linked_tokens(service.url, seeded.post)
    body, _ = seeded.post.auth({"token": tokens["refresh_token"]})
    assert requests.post(service.url + "/oauth/revoke", data=body, timeout=10).status_code == 200
    assert me(service.url, tokens["access_token"]).status_code == 401

    def headers_for(operation, case):
        if operation.path == "/oauth/token":
            if isinstance(case.body, dict):  # client_secret_post: credentials inside the generated form
                case.body.setdefault("client_id", seeded.post.client_id)
                case.body.setdefault("client_secret", seeded.post.secret)
            return None
        return {"Authorization": "Bearer " + tokens["access_token"]}

    _run_schemathesis(service, seeded, headers_for, figures)
