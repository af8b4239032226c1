"""Resolve an access token to a verified profile, through the cache."""
from __future__ import annotations

from typing import Optional

from .cache import ProfileCache
from .clients import ResourceServerClient
from .deadline import Deadline
from .profile import Profile


class ProfileResolver:
    """Asks the resource server who a token belongs to, remembering only successes."""

    def __init__(self, client: ResourceServerClient, cache: ProfileCache) -> None:
        self.client = client
        self.cache = cache

    def resolve(
        self, token: str, deadline: Optional[Deadline] = None, owner: Optional[str] = None
    ) -> Profile:
        """The token owner's profile; raises a LinkingError (never cached) on failure.

        A cache miss asks the resource server within what is left of ``deadline``;
        ``owner`` (the Alexa user id) lets :meth:`forget_owner` drop the entry later.
        """
        cached = self.cache.get(token)
        if cached is not None:
            return cached
        profile = self.client.fetch_profile(token, deadline)
        self.cache.put(token, profile, owner)
        return profile

    def forget(self, token: str) -> None:
        """Drop a token another resource call found rejected."""
        self.cache.forget(token)

    def forget_owner(self, owner: str) -> int:
        """Drop every profile cached for Alexa user ``owner`` (skill disabled or relinked)."""
        return self.cache.forget_owner(owner)
