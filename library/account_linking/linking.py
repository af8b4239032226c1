"""The one object a skill configures: :class:`AccountLinking`, and its skill builder.

::

    linking = AccountLinking(client, cache_ttl=300, time_budget=3.0)
    sb = linking.skill_builder()            # a SafeSkillBuilder with every check installed
    sb.add_request_handler(OrderHandler())  # checked: OrderHandler is @requires_link(...)
    lambda_handler = sb.lambda_handler()

The builder installs, once: the request's time budget (a global
:class:`~account_linking.deadline.DeadlineInterceptor`, first), the skill-event handler,
and the exception handler that answers every linking failure. Each handler that declares
a need gets its own chain-local :class:`~account_linking.interceptor.LinkingInterceptor`
however it was registered (``add_request_handler``, the ``request_handler`` decorator,
``runtime_configuration_builder.add_request_handlers``): the check is added when the
skill is built, for every chain whose handler declares one.
"""
from __future__ import annotations

import math
import operator
import threading
import time
from typing import Any, Callable, Mapping, Optional, TypeVar

from ask_sdk_core.dispatch_components.request_components import AbstractRequestHandler
from ask_sdk_core.skill_builder import CustomSkillBuilder
from ask_sdk_runtime.dispatch_components.request_components import GenericRequestHandlerChain
from ask_sdk_runtime.skill import RuntimeConfiguration, RuntimeConfigurationBuilder

from .cache import ProfileCache
from .clients import ResourceServerClient
from .deadline import DeadlineInterceptor
from .events import (
    SKILL_ACCOUNT_LINKED,
    SKILL_DISABLED,
    SKILL_ENABLED,
    SKILL_PERMISSION_ACCEPTED,
    SKILL_PERMISSION_CHANGED,
    Hook,
    SkillEventHandler,
)
from .exception_handler import LinkingExceptionHandler
from .interceptor import LinkingInterceptor
from .locales import FALLBACK_LOCALE
from .messages import DEFAULT_APOLOGIES, DEFAULT_MESSAGES, DEFAULT_SCOPE_LABELS, LinkingMessages
from .requirements import REGISTERED_ATTRIBUTE, REQUIREMENT_ATTRIBUTE, LinkMode, requirement_of
from .resolver import ProfileResolver
from .safety import SafeSkillBuilder

#: Alexa waits at most 8 s for a skill's answer (ALEXA-FACTS.md): no budget may be longer.
MAX_TIME_BUDGET = 8.0

F = TypeVar("F", bound=Callable[..., Any])
V = TypeVar("V")


def _seconds(name: str, value: float, *, minimum: float, maximum: float, open_minimum: bool) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ValueError(f"{name} must be a number of seconds, got {value!r}")
    if value < minimum or (open_minimum and value == minimum) or value > maximum:
        low = f"greater than {minimum:g}" if open_minimum else f"at least {minimum:g}"
        raise ValueError(f"{name} must be {low} and at most {maximum:g} seconds, got {value!r}")
    return float(value)


def _per_locale(name: str, table: Mapping[str, V], kind: type) -> Mapping[str, V]:
    if not isinstance(table, Mapping) or FALLBACK_LOCALE not in table:
        raise ValueError(f"{name} must map locales to {kind.__name__} and include {FALLBACK_LOCALE!r} (the fallback)")
    for locale, value in table.items():
        if not isinstance(value, kind):
            raise ValueError(f"{name}[{locale!r}] must be a {kind.__name__}, got {type(value).__name__}")
    return table


class AccountLinking:
    """Account linking for one skill, configured once.

    - ``client``: the resource server that says who a token belongs to
      (a :class:`~account_linking.clients.ResourceServerClient`).
    - ``cache_ttl``: seconds a verified profile is remembered (keyed by token digest;
      0 disables the cache); ``cache_size``: most profiles kept (least recently used go).
    - ``time_budget``: seconds that *all* resource-server calls of one request may take
      together (the link check and the skill's own API calls), at most 8.
    - ``messages``, ``scope_labels``, ``apologies``: what the user hears, per locale
      (each must include ``en-US``, the fallback).
    - ``on_linked``, ``on_disabled``, ``on_enabled``, ``on_permissions_changed``: hooks
      called with a :class:`~account_linking.events.SkillEvent`.
    - ``clock``: monotonic seconds for the budget and the cache (tests pass their own).
    """

    def __init__(
        self,
        client: ResourceServerClient,
        *,
        cache_ttl: float = 300.0,
        cache_size: int = 1024,
        time_budget: float = 3.0,
        messages: Mapping[str, LinkingMessages] = DEFAULT_MESSAGES,
        scope_labels: Mapping[str, Mapping[str, str]] = DEFAULT_SCOPE_LABELS,
        apologies: Mapping[str, str] = DEFAULT_APOLOGIES,
        on_linked: Optional[Hook] = None,
        on_disabled: Optional[Hook] = None,
        on_enabled: Optional[Hook] = None,
        on_permissions_changed: Optional[Hook] = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if not isinstance(client, ResourceServerClient):
            raise TypeError(f"client must be a ResourceServerClient, got {type(client).__name__}")
        if isinstance(cache_size, bool) or not isinstance(cache_size, int) or cache_size < 1:
            raise ValueError(f"cache_size must be a whole number of at least 1, got {cache_size!r}")
        hooks = {
            SKILL_ACCOUNT_LINKED: on_linked,
            SKILL_DISABLED: on_disabled,
            SKILL_ENABLED: on_enabled,
            SKILL_PERMISSION_ACCEPTED: on_permissions_changed,
            SKILL_PERMISSION_CHANGED: on_permissions_changed,
        }
        for name, hook in (("on_linked", on_linked), ("on_disabled", on_disabled),
                           ("on_enabled", on_enabled), ("on_permissions_changed", on_permissions_changed)):
            if hook is not None and not callable(hook):
                raise TypeError(f"{name} must be callable, got {type(hook).__name__}")
        self.cache_ttl = _seconds("cache_ttl", cache_ttl, minimum=0.0, maximum=7 * 24 * 3600.0, open_minimum=False)
        self.time_budget = _seconds("time_budget", time_budget, minimum=0.0, maximum=MAX_TIME_BUDGET, open_minimum=True)
        self.messages = _per_locale("messages", messages, LinkingMessages)
        self.scope_labels = _per_locale("scope_labels", scope_labels, Mapping)
        self.apologies = _per_locale("apologies", apologies, str)
        self.clock = clock
        self.resolver = ProfileResolver(client, ProfileCache(self.cache_ttl, cache_size, clock))
        self.exception_handler = LinkingExceptionHandler(self.resolver, self.messages, self.scope_labels)
        self.event_handler = SkillEventHandler(self.resolver, hooks)

    @property
    def client(self) -> ResourceServerClient:
        """The resource-server client the link check asks."""
        return self.resolver.client

    def skill_builder(self, *, skill_id: Optional[str] = None, **kwargs: Any) -> LinkedSkillBuilder:
        """A new skill builder with account linking installed (see :class:`LinkedSkillBuilder`).

        ``skill_id``: when given, requests for any other skill are refused. Other keyword
        arguments go to ``CustomSkillBuilder`` (``persistence_adapter``, ``api_client``).
        """
        return LinkedSkillBuilder(self, skill_id=skill_id, **kwargs)


class _CheckedRuntimeConfigurationBuilder(RuntimeConfigurationBuilder):
    """Adds the chain-local link check to every chain whose handler declares a need."""

    def __init__(self, resolver: ProfileResolver) -> None:
        super().__init__()
        self._resolver = resolver
        self._lock = threading.Lock()
        self._verified: tuple[Any, ...] = ()  # the chains checked last (held: no id reuse)

    def add_request_handler(self, request_handler: Any) -> None:
        """Register the handler (its declaration is read now, so a bad one raises here)."""
        super().add_request_handler(request_handler)
        self.install_link_checks()

    def install_link_checks(self) -> None:
        """Give each chain with a declared need its LinkingInterceptor (first, once)."""
        with self._lock:
            chains = tuple(self.request_handler_chains)
            checked = len(self._verified)
            if not (len(chains) >= checked and all(map(operator.is_, chains, self._verified))):
                checked = 0  # not the chains checked last plus new ones at the end: check all
            for chain in chains[checked:]:
                self._install(chain)
            self._verified = chains

    def _install(self, chain: Any) -> None:
        if not isinstance(chain, GenericRequestHandlerChain):
            raise TypeError(f"{chain!r} is not a GenericRequestHandlerChain: cannot check its link")
        requirement = requirement_of(chain.request_handler)
        if requirement.mode is LinkMode.NONE:
            return
        interceptors = chain.request_interceptors
        if any(
            isinstance(i, LinkingInterceptor) and i.resolver is self._resolver and i.requirement == requirement
            for i in interceptors
        ):
            return
        interceptors.insert(0, LinkingInterceptor(self._resolver, requirement))

    def recheck(self) -> None:
        """Forget which chains were checked (a handler's declaration changed after registering)."""
        with self._lock:
            self._verified = ()

    def get_runtime_configuration(self) -> RuntimeConfiguration:
        """The configuration, with every declared handler checked."""
        self.install_link_checks()
        return super().get_runtime_configuration()


class LinkedSkillBuilder(SafeSkillBuilder):
    """A SafeSkillBuilder with account linking installed; made by :meth:`AccountLinking.skill_builder`.

    Register handlers the SDK's usual ways; those declared with ``@requires_link`` or
    ``@link_optional`` (classes, or functions below ``@sb.request_handler(...)``) get
    their link check. Exception handlers added later come after the linking one.
    """

    def __init__(self, linking: AccountLinking, *, skill_id: Optional[str] = None, **kwargs: Any) -> None:
        super().__init__(apologies=linking.apologies, **kwargs)
        self.linking = linking
        self._checked = _CheckedRuntimeConfigurationBuilder(linking.resolver)
        self.runtime_configuration_builder = self._checked
        self.skill_id = skill_id  # type: ignore[assignment]  # the SDK annotates it None
        # Global and first: the budget starts before any handler's link check.
        self.add_global_request_interceptor(DeadlineInterceptor(linking.time_budget, linking.clock))
        self.add_request_handler(linking.event_handler)
        self.add_exception_handler(linking.exception_handler)

    def request_handler(self, can_handle_func: Callable[[Any], bool]) -> Callable[[F], F]:
        """The SDK's decorator for handler functions, keeping the function's link declaration."""
        register = super().request_handler(can_handle_func)

        def wrapper(handle_func: F) -> F:
            registered = register(handle_func)
            chain = self.runtime_configuration_builder.request_handler_chains[-1]
            requirement = requirement_of(handle_func)
            if requirement.mode is not LinkMode.NONE:
                setattr(chain.request_handler, REQUIREMENT_ATTRIBUTE, requirement)
                self._checked.recheck()
                self._checked.install_link_checks()
            try:
                setattr(registered, REGISTERED_ATTRIBUTE, True)
            except (AttributeError, TypeError):  # a builtin or bound method: nothing to mark
                pass
            return registered  # type: ignore[no-any-return]

        return wrapper


def add_linked_handler(
    skill_builder: CustomSkillBuilder, handler: AbstractRequestHandler, resolver: ProfileResolver
) -> None:
    """Register ``handler`` with a chain-local LinkingInterceptor (the pre-0.3 wiring).

    New code uses :meth:`AccountLinking.skill_builder`, which does this for every door.
    """
    requirement = requirement_of(handler)
    skill_builder.add_request_handler(handler)
    chain = skill_builder.runtime_configuration_builder.request_handler_chains[-1]
    if not isinstance(chain, GenericRequestHandlerChain) or chain.request_handler is not handler:
        raise RuntimeError("the skill builder did not register the handler as its last chain")
    if requirement.mode is not LinkMode.NONE:
        chain.request_interceptors.insert(0, LinkingInterceptor(resolver, requirement))
