"""Break-glass: the coordinator handling an open imminent-risk concern sees who the member is, to get them help.

Only the handler (who acknowledged it) of an open, imminent concern about a member with an account may ask
(``access.get_concern_to_reveal`` checks that first), and each time they give a reason and sign again: their
password and a code from their authenticator app (a recovery code is not enough). Wrong credentials are refused,
audited and throttled (``MAX_FAILURES`` in ``WINDOW_SECONDS`` per coordinator). Success is an ``identity.revealed``
event with the member as its subject (a line in their own access log, with the reason), a REVEALED timeline line,
and the details returned for that one response: never stored elsewhere, put in a URL, logged or sent.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest

from alongside.accounts.models import Profile
from alongside.audit.models import Outcome
from alongside.audit.services import record, record_identity_access
from alongside.phoneline.numbers import for_display
from alongside.phoneline.selectors import own_number
from alongside.safety.models import Concern, ConcernEvent, EventKind, Level

MAX_FAILURES = 5
WINDOW_SECONDS = 15 * 60
REASON_MIN_LENGTH = 10
REASON_MAX_LENGTH = 1000
REVEAL_ACTION = "safety.concern.reveal"


@dataclass(frozen=True)
class Identity:
    """What the member has given: shown once, in the response to the break-glass form."""

    real_name: str
    email: str
    phone: str


def _failures_key(user_id: int) -> str:
    return f"safety.breakglass.failures.{user_id}"


def failures(user_id: int) -> int:
    return int(cache.get(_failures_key(user_id), 0))


def _count_failure(user_id: int) -> None:
    key = _failures_key(user_id)
    cache.add(key, 0, timeout=WINDOW_SECONDS)  # the window starts at the first failure
    try:
        cache.incr(key)
    except ValueError:  # expired between the two calls
        cache.set(key, 1, timeout=WINDOW_SECONDS)


def _refuse(concern: Concern, by: Any, why: str, request: HttpRequest | None, message: str) -> ValidationError:
    record(
        REVEAL_ACTION,
        actor=by,
        target=concern,
        request=request,
        outcome=Outcome.DENIED,
        details={"why": why},
    )
    return ValidationError(message)


def totp_ok(user: Any, code: str) -> bool:
    """The code from the person's authenticator app, checked as allauth checks it at sign-in (once per code)."""
    code = "".join(code.split())
    if not code.isdigit():
        return False
    authenticator = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).first()
    return authenticator is not None and TOTP(authenticator).validate_code(code)


def reveal_identity(
    *, concern: Concern, by: Any, reason: str, password: str, code: str, request: HttpRequest | None = None
) -> Identity:
    """Check the reason and the fresh sign-in, then record the access and return the member's details.

    Not atomic as a whole on purpose: a refusal's audit event must stay when the refusal is raised.
    """
    reason = reason.strip()
    if len(reason) < REASON_MIN_LENGTH:
        raise _refuse(concern, by, "reason", request, "Write why you need to see who they are (a sentence at least).")
    if len(reason) > REASON_MAX_LENGTH:
        raise _refuse(concern, by, "reason", request, f"Keep the reason under {REASON_MAX_LENGTH} characters.")
    if failures(by.pk) >= MAX_FAILURES:
        raise _refuse(
            concern,
            by,
            "throttled",
            request,
            "Too many wrong attempts: wait 15 minutes, or ask another coordinator to take the concern.",
        )
    if not (password and by.check_password(password)) or not totp_ok(by, code):
        _count_failure(by.pk)
        raise _refuse(concern, by, "credentials", request, "That password or code is not right. Nothing was shown.")
    cache.delete(_failures_key(by.pk))
    with transaction.atomic():
        fresh = Concern.objects.select_for_update().get(pk=concern.pk)
        member = fresh.member
        allowed = fresh.closed_at is None and fresh.level == Level.IMMINENT and fresh.handler_id == by.pk
        if allowed and member is not None:
            record_identity_access("revealed", actor=by, subject=member, target=fresh, reason=reason, request=request)
            ConcernEvent.objects.create(concern=fresh, kind=EventKind.REVEALED, actor=by, note=reason)
    if not allowed or member is None:  # it changed since the page's check: closed, or handed to someone else
        raise _refuse(concern, by, "state", request, "This concern has changed: nothing was shown.")
    profile = Profile.objects.filter(user=member).first()
    phone = own_number(member.pk)
    return Identity(
        real_name=profile.real_name if profile is not None else "",
        email=member.email,
        phone=for_display(phone) if phone else "",
    )
