"""Fixtures: a throw-away PKI, a real chain server on 127.0.0.1, verifying hosts."""
from __future__ import annotations

from typing import Any, Callable, Iterator

import pytest

from alexa_linkcheck.simulator.signing import make_intermediate, make_root, make_signing_identity
from devstack.servers import ChainServer, StallingServer
from webservice import create_app
from webservice_support import (
    BareSkill,
    Host,
    Pki,
    TricklingServer,
)


@pytest.fixture(scope="session")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    root = make_root()
    intermediate = make_intermediate(root)
    anchors = tmp_path_factory.mktemp("anchors") / "test-root.pem"
    anchors.write_bytes(root.pem)
    return Pki(
        root=root,
        intermediate=intermediate,
        alexa=make_signing_identity(intermediate),
        untrusted_root=make_root("Untrusted Root CA"),
        anchors_file=anchors,
    )


@pytest.fixture(scope="session")
def _chain_server_session() -> Iterator[ChainServer]:
    server = ChainServer()
    yield server
    server.close()


@pytest.fixture()
def chain_server(_chain_server_session: ChainServer, pki: Pki) -> ChainServer:
    server = _chain_server_session
    server.routes.clear()
    server.hits.clear()
    server.routes["/echo.api/echo-api-cert-test.pem"] = pki.alexa.chain_pem
    return server


@pytest.fixture()
def stalling_server() -> Iterator[StallingServer]:
    server = StallingServer()
    yield server
    server.close()


@pytest.fixture()
def make_host(pki: Pki, chain_server: ChainServer) -> Callable[..., Host]:
    """Build a verifying host (development mode, test anchors, local chain server)."""

    def factory(**config: Any) -> Host:
        skill = BareSkill()
        settings: dict[str, Any] = {
            "WEBSERVICE_ENV": "development",
            "ALEXA_CERT_FETCH_URL_OVERRIDE": chain_server.url,
            "ALEXA_EXTRA_TRUST_ANCHORS_FILE": str(pki.anchors_file),
            "ALEXA_CERT_FETCH_TIMEOUT": "2",
        }
        settings.update(config)
        app = create_app(skill.builder(), config=settings, environ={})
        return Host(skill=skill, client=app.test_client(), app=app)

    return factory


@pytest.fixture()
def trickling_server() -> Iterator[TricklingServer]:
    server = TricklingServer()
    yield server
    server.close()
