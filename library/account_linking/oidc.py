"""OpenID Connect userinfo, found by discovery: Auth0, Cognito, Okta, Keycloak, Google, Entra ID.

The client reads ``<issuer>/.well-known/openid-configuration`` once (cached on the client,
``discovery_ttl`` seconds), then asks the ``userinfo_endpoint`` who the access token
belongs to (OpenID Connect Core 1.0 section 5.3). The user id is the ``sub`` claim; the
name and e-mail are the ``name`` and ``email`` claims when the token may read them.
Granted scopes come from a ``scope`` claim when the provider adds one; otherwise they
are unknown.
"""
from __future__ import annotations

from typing import Any, Optional

import requests

from .clients import ResourceServerClient, optional_str, scope_set
from .deadline import Deadline, call_timeout
from .discovery import OPENID_CONFIGURATION, DocumentCache, check_url, endpoint, issuer_metadata
from .errors import ResourceUnavailable
from .http import parse_json, raise_for_token_status, send
from .profile import Profile

#: The scope every OpenID Connect request carries (OpenID Connect Core 1.0 section 3.1.2.1).
OPENID_SCOPE = "openid"


class OidcUserinfoClient(ResourceServerClient):
    """Looks tokens up at the issuer's userinfo endpoint, found by OpenID Connect Discovery.

    ``issuer`` is the provider's issuer identifier exactly as its discovery document
    names it (a trailing slash is ignored). One discovery and one userinfo call share the
    request's time budget; the discovery document is then cached, so a warm skill makes
    one call per cache miss.
    """

    provider = "oidc"

    def __init__(
        self,
        session: requests.Session,
        issuer: str,
        timeout: float,
        *,
        discovery_ttl: float = 3600.0,
        discovery_cache: Optional[DocumentCache] = None,
    ) -> None:
        self._session = session
        self.issuer = check_url(issuer, "issuer")
        self._timeout = timeout
        self._documents = discovery_cache or DocumentCache(ttl=discovery_ttl, max_entries=4)

    def userinfo_endpoint(self, deadline: Optional[Deadline] = None) -> str:
        """The userinfo URL from the (cached) discovery document."""
        document = issuer_metadata(
            self._session, self._documents, self.issuer, call_timeout(self._timeout, deadline)
        )
        return endpoint(document, "userinfo_endpoint")

    def fetch_profile(self, token: str, deadline: Optional[Deadline] = None) -> Profile:
        """Discover (once), then GET userinfo with the token within the time left."""
        url = self.userinfo_endpoint(deadline)
        response = send(
            self._session, "GET", url,
            timeout=call_timeout(self._timeout, deadline), token=token,
        )
        raise_for_token_status(response, required_scope=OPENID_SCOPE)
        if response.status_code != 200:
            # the provider may have moved it: discover again on the next request
            self._documents.forget(self.issuer.rstrip("/") + OPENID_CONFIGURATION)
            raise ResourceUnavailable(f"userinfo endpoint answered HTTP {response.status_code}")
        return parse_json(response, self._shape)

    def _shape(self, body: Any) -> Profile:
        if not isinstance(body, dict):
            raise TypeError("userinfo is not a JSON object")
        sub = body.get("sub")
        if not isinstance(sub, str) or not sub:
            raise TypeError("userinfo has no sub")
        return Profile(
            user_id=sub,
            name=optional_str(body.get("name"), "name"),
            email=optional_str(body.get("email"), "email"),
            scopes=scope_set(body.get("scope")),
            provider=self.provider,
        )
