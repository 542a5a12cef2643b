"""Sign-in, sign-out, failed sign-in and MFA changes, recorded as they happen."""

from __future__ import annotations

from typing import Any

from allauth.mfa import signals as mfa_signals
from django.contrib.auth import get_user_model
from django.contrib.auth import signals as auth_signals
from django.dispatch import receiver
from django.http import HttpRequest

from alongside.audit.models import Outcome
from alongside.audit.services import record
from alongside.lib.consumers import socket_refused


@receiver(auth_signals.user_logged_in)
def _logged_in(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    record("accounts.signin", actor=user, subject=user, target=user, request=request)


@receiver(auth_signals.user_logged_out)
def _logged_out(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    if user is not None:
        record("accounts.signout", actor=user, subject=user, target=user, request=request)


@receiver(auth_signals.user_login_failed)
def _login_failed(sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any) -> None:
    # The attempted email is not stored: a typo of someone's address is still their address.
    record("accounts.signin", request=request, outcome=Outcome.FAILED)


@receiver(mfa_signals.authenticator_added)
def _mfa_added(sender: Any, request: HttpRequest, user: Any, authenticator: Any, **kwargs: Any) -> None:
    record("accounts.mfa.enabled", actor=user, subject=user, request=request, details={"type": authenticator.type})


@receiver(mfa_signals.authenticator_removed)
def _mfa_removed(sender: Any, request: HttpRequest, user: Any, authenticator: Any, **kwargs: Any) -> None:
    record("accounts.mfa.disabled", actor=user, subject=user, request=request, details={"type": authenticator.type})


@receiver(mfa_signals.authenticator_reset)
def _mfa_reset(sender: Any, request: HttpRequest, user: Any, authenticator: Any, **kwargs: Any) -> None:
    record("accounts.mfa.reset", actor=user, subject=user, request=request, details={"type": authenticator.type})


@receiver(socket_refused)
def _socket_refused(sender: Any, user_id: int | None, path: str, code: int, why: str, **kwargs: Any) -> None:
    """A websocket refused before its access helper ran (another origin; a person who may hold none)."""
    record(
        "access.socket",
        actor=get_user_model().objects.filter(pk=user_id).first() if user_id else None,
        outcome=Outcome.DENIED,
        details={"path": path, "code": code, "why": why, "socket": sender.__name__},
    )
