"""Figure 8: a cache miss checked locally (RFC 9068 JWT) vs one looked up over HTTP (profile endpoint).

Both resolve a token through a ProfileResolver whose cache never hits (ttl 0), in the same
run, interleaved batch by batch. The HTTP lookup asks a real resource server on 127.0.0.1
(``GET /api/v1/me`` over a pooled keep-alive connection, the cheapest HTTP lookup there
is); the JWT client verifies an RS256 token with a key from a JWKS served on 127.0.0.1,
fetched once before timing (then no network call per request). Goal (issue 12, item 7):
the local check costs a tenth of the lookup or less.
"""
from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import requests

from bench.common import Row, interleaved_batches, paired, ratio_row, scaled, setup_paths, summary_us

#: Issue 12, item 7: the local check costs at most a tenth of the HTTP lookup.
TARGET = 0.10
AUDIENCE = "https://api.example.com"


class _JwksServer:
    """Serves one JWKS at /jwks on 127.0.0.1 (the issuer's published keys)."""

    def __init__(self, jwks: dict[str, Any]) -> None:
        body = json.dumps(jwks).encode()
        #: requests served (the JWKS is fetched once, before timing)
        self.fetches = 0
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                server.fetches += 1
                self.send_response(200 if self.path == "/jwks" else 404)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def run() -> list[Row]:
    setup_paths()
    import jwt
    from cryptography.hazmat.primitives.asymmetric import rsa
    from jwt.algorithms import RSAAlgorithm

    from account_linking import ProfileCache, ProfileResolver
    from ride_hailer.profile_client import RideHailerProfileClient
    from account_linking.jwt_access import JwtAccessTokenClient
    from devstack.resource_server import ResourceServer  # the real resource server of figure 2

    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    jwk = {**RSAAlgorithm.to_jwk(private.public_key(), as_dict=True), "kid": "bench", "use": "sig", "alg": "RS256"}
    keys = _JwksServer({"keys": [jwk]})
    api = ResourceServer().start()
    try:
        now = int(time.time())
        token = jwt.encode(
            {"iss": keys.url, "sub": "user-1", "aud": AUDIENCE, "exp": now + 3600, "iat": now,
             "client_id": "alexa-skill", "scope": "profile rides:read"},
            private, algorithm="RS256", headers={"kid": "bench", "typ": "at+jwt"},
        )
        with requests.Session() as session:
            local = ProfileResolver(
                JwtAccessTokenClient(session, keys.url, 3.0, audience=AUDIENCE, jwks_url=keys.url + "/jwks"),
                ProfileCache(ttl=0, max_entries=1),
            )
            remote = ProfileResolver(RideHailerProfileClient(session, api.url, 3.0), ProfileCache(ttl=0, max_entries=1))
            local.resolve(token), remote.resolve("opaque-token")  # JWKS fetched, connection pooled
            per_call = interleaved_batches(
                {"jwt": lambda: local.resolve(token), "http": lambda: remote.resolve("opaque-token")},
                rounds=scaled(40, 3),
                batch=scaled(50, 5),
            )
        jwks_fetches = keys.fetches
    finally:
        keys.stop()
        api.stop()
    if jwks_fetches != 1:
        raise RuntimeError(f"the JWT client fetched the JWKS {jwks_fetches} times; it must check locally")
    jwt_us, http_us = summary_us(per_call["jwt"]), summary_us(per_call["http"])
    ratio, low, high = paired(per_call["jwt"], per_call["http"])
    return [
        Row("9 jwt miss", "cache miss, local JWT check (RS256), per request", jwt_us["p50_us"], "us"),
        Row("9 jwt miss", "cache miss, HTTP profile lookup (127.0.0.1), per request", http_us["p50_us"], "us"),
        ratio_row("9 jwt miss", "local JWT / HTTP lookup (median of paired batches)", ratio, f"<= {TARGET}",
                  ratio <= TARGET, (low, high), jwt=jwt_us, http=http_us, jwks_fetches=jwks_fetches),
    ]
