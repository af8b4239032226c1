"""The verified identity a resource server returns for an access token."""
from __future__ import annotations

from typing import Optional

from .values import value_class


@value_class
class Profile:
    """Who an access token belongs to, as the resource server told us."""

    #: Stable user id at the resource server.
    user_id: str
    #: Display name, when the token may read it.
    name: Optional[str] = None
    #: E-mail address, when the token may read it.
    email: Optional[str] = None
    #: Scopes granted to the token; None when the resource server does not say.
    scopes: Optional[frozenset[str]] = None
    #: Which client produced this profile (``lwa``, or the ``provider`` a client names).
    provider: str = ""

    def has_scope(self, scope: str) -> bool:
        """Whether the token was granted ``scope`` (True when scopes are unknown)."""
        return self.scopes is None or scope in self.scopes
