"""A signed request through POST /alexa gets the answer the Lambda handler gives.

Needs the Ride Hailer skill (lambda/ride_hailer, lambda/lambda_function.py) from the skill
branch: it cannot pass before that branch is merged.
"""
from __future__ import annotations

import copy
import importlib
import sys
import pytest

from devstack.servers import ChainServer
from webservice_support import SKILL_ID, Pki, body_of, envelope, signed_headers
from webservice import create_app


@pytest.mark.parametrize("fixture", ["launch_request"])
def test_signed_request_gets_the_same_answer_as_the_lambda_handler(
    monkeypatch: pytest.MonkeyPatch, pki: Pki, chain_server: ChainServer, fixture: str
) -> None:
    skill_env = {
        "RIDE_HAILER_API_URL": "http://127.0.0.1:9",
        "SKILL_ID": SKILL_ID,
    }
    for name, value in skill_env.items():
        monkeypatch.setenv(name, value)
    sys.modules.pop("lambda_function", None)
    lambda_function = importlib.import_module("lambda_function")

    data = envelope(fixture)
    lambda_answer = lambda_function.lambda_handler(copy.deepcopy(data), None)

    app = create_app(
        config={
            "WEBSERVICE_ENV": "development",
            "ALEXA_CERT_FETCH_URL_OVERRIDE": chain_server.url,
            "ALEXA_EXTRA_TRUST_ANCHORS_FILE": str(pki.anchors_file),
        },
        environ=skill_env,
    )
    body = body_of(data)
    response = app.test_client().post("/alexa", data=body, headers=signed_headers(pki.alexa, body))

    assert response.status_code == 200
    assert response.get_json() == lambda_answer
