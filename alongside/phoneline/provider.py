"""The telephony provider interface: what the phone line needs from a provider, and nothing more.

The phone line's services decide *what* happens on a call as a short list of provider-neutral steps (say this, ask
for one key, dial these numbers, hang up); a provider turns the steps into its own response language (TwiML for
Twilio), checks that a webhook really came from it, places outbound calls and sends text messages (the safety
alerts' SMS). ``line.current()`` is the configured
provider, or None when the phone line is off.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from django.http import HttpRequest


@dataclass(frozen=True)
class Say:
    text: str


@dataclass(frozen=True)
class Ask:
    """Say ``prompt`` and wait up to ``timeout`` seconds for one key, sent to ``action`` as ``Digits``. No key: the
    next step runs."""

    prompt: str
    action: str
    timeout: int = 8


@dataclass(frozen=True)
class Callee:
    """One number to ring. ``screen``: a webhook the callee's leg runs when they answer, before being connected."""

    number: str
    screen: str = ""


@dataclass(frozen=True)
class Dial:
    """Ring every callee at once (at most ``MAX_CALLEES``); the first connected wins. ``action`` hears the outcome."""

    callees: tuple[Callee, ...]
    caller_id: str
    action: str
    timeout: int = 25


@dataclass(frozen=True)
class Hangup:
    pass


Step = Say | Ask | Dial | Hangup

MAX_CALLEES = 10
"""Twilio rings at most ten numbers at once in one ``<Dial>``."""


class ProviderError(Exception):
    """The provider refused or could not be reached; the message holds no number."""


class Provider(Protocol):
    content_type: str

    def is_genuine(self, request: HttpRequest, *, url: str) -> bool:
        """Whether ``request`` (received at the public ``url``) was signed by the provider."""

    def render(self, steps: Sequence[Step]) -> str:
        """The response body for a webhook."""

    def place_call(self, *, to: str, from_: str, steps: Sequence[Step], status_callback: str) -> str:
        """Ring ``to`` from ``from_``; when answered, run ``steps``. Returns the provider's id for the call."""

    def send_sms(self, *, to: str, from_: str, body: str) -> str:
        """Send ``body`` as a text message to ``to`` from ``from_``. Returns the provider's id for the message."""
