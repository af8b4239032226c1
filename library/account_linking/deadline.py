"""One time budget for every resource-server call made while answering one request.

Alexa waits 8 s for the whole answer (ALEXA-FACTS.md), not per HTTP call: a request
that misses the profile cache and then calls the service's own API makes two calls in a
row, and both together must fit. :class:`DeadlineInterceptor` (a *global* request
interceptor, so it runs before the linking check) starts a :class:`Deadline` per request
and stores it in the request attributes; the linking check and the skill's own API
client read it with :func:`deadline_of` and give each call only the time left.
"""
from __future__ import annotations

import time
from typing import Callable, Optional

from ask_sdk_core.dispatch_components.request_components import AbstractRequestInterceptor
from ask_sdk_core.handler_input import HandlerInput

#: Request attribute holding the request's :class:`Deadline`.
DEADLINE_ATTRIBUTE = "account_linking.deadline"

Clock = Callable[[], float]


class Deadline:
    """A monotonic instant by which one request's resource calls must be done."""

    def __init__(self, budget: float, clock: Clock = time.monotonic) -> None:
        self.budget = budget
        self._clock = clock
        self._expires = clock() + budget

    def remaining(self) -> float:
        """Seconds left before the deadline (0.0 once it has passed)."""
        return max(0.0, self._expires - self._clock())

    def expired(self) -> bool:
        """Whether no time is left."""
        return self.remaining() <= 0.0

    def cap(self, seconds: float) -> float:
        """The time a call may take: at most ``seconds``, never past the deadline."""
        return min(seconds, self.remaining())

    @classmethod
    def for_call(cls, timeout: float, request_deadline: Optional[Deadline] = None) -> Deadline:
        """The deadline of one call: ``timeout`` seconds, never past ``request_deadline``.

        Measured on the monotonic clock from now (what is left of the request's budget is
        read once, on the request's own clock).
        """
        return cls(call_timeout(timeout, request_deadline))


def call_timeout(timeout: float, deadline: Optional[Deadline]) -> float:
    """A client's per-call ``timeout``, shortened to the request's ``deadline`` if given."""
    return timeout if deadline is None else deadline.cap(timeout)


def deadline_of(handler_input: HandlerInput) -> Optional[Deadline]:
    """The deadline :class:`DeadlineInterceptor` started for this request, if any."""
    deadline = handler_input.attributes_manager.request_attributes.get(DEADLINE_ATTRIBUTE)
    return deadline if isinstance(deadline, Deadline) else None


class DeadlineInterceptor(AbstractRequestInterceptor):
    """Starts the request's resource-call budget; register it as a global request interceptor."""

    def __init__(self, budget: float, clock: Clock = time.monotonic) -> None:
        self.budget = budget
        self._clock = clock

    def process(self, handler_input: HandlerInput) -> None:
        """Store a fresh Deadline of ``budget`` seconds in the request attributes."""
        handler_input.attributes_manager.request_attributes[DEADLINE_ATTRIBUTE] = Deadline(
            self.budget, self._clock
        )
