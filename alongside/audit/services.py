"""Recording audit events. Never put names, emails, phone numbers or message text in details."""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

from django.conf import settings
from django.db import models
from django.http import HttpRequest

from alongside.audit.chain import row_hash
from alongside.audit.models import AuditEvent, Outcome
from alongside.lib.time import now


def hash_ip(ip: str) -> str:
    """A keyed hash: lets us see that two events came from one address without storing it."""
    if not ip:
        return ""
    key = hashlib.sha256(("audit-ip:" + settings.SECRET_KEY).encode()).digest()
    return hmac.new(key, ip.encode(), hashlib.sha256).hexdigest()


def client_ip(request: HttpRequest | None) -> str:
    if request is None:
        return ""
    if getattr(settings, "SECURE_PROXY_SSL_HEADER", None):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[0].strip()
    return str(request.META.get("REMOTE_ADDR", ""))


def record(
    action: str,
    *,
    actor: Any = None,
    target: models.Model | None = None,
    target_type: str = "",
    target_id: str | int = "",
    subject: Any = None,
    outcome: str = Outcome.OK,
    request: HttpRequest | None = None,
    details: dict[str, Any] | None = None,
    reason: str = "",
) -> AuditEvent:
    """Append one event. ``actor`` and ``subject`` are users (or None); ``target`` any model instance.

    ``reason`` is the actor's own explanation, kept encrypted; ``details`` must never hold free text.
    """
    if target is not None:
        target_type = target._meta.label_lower
        target_id = target.pk
    actor_id = getattr(actor, "pk", None) if actor is not None and getattr(actor, "is_authenticated", True) else None
    if actor is None and request is not None and request.user.is_authenticated:
        actor_id = request.user.pk
    event = AuditEvent(
        at=now(),
        action=action,
        actor_id=actor_id,
        target_type=target_type,
        target_id=str(target_id) if target_id != "" else "",
        subject_id=getattr(subject, "pk", subject) if subject is not None else None,
        outcome=outcome,
        ip_hash=hash_ip(client_ip(request)),
        details=details or {},
        reason=reason,
    )
    event.row_hash = row_hash(event)
    event.save()
    return event


def denied(action: str, *, request: HttpRequest, target_type: str = "", target_id: str | int = "") -> AuditEvent:
    """Every access denial leaves a trace."""
    return record(
        action,
        request=request,
        target_type=target_type,
        target_id=target_id,
        outcome=Outcome.DENIED,
        details={"path": request.path[:200], "method": request.method or ""},
    )


IDENTITY_ACCESS = "identity."
"""Actions that are a staff member's access to a person's identifying data (their email, real name, contact
details): each is recorded with that person as ``subject`` and feeds their own access log (``my access log``)."""


def record_identity_access(
    what: str,
    *,
    actor: Any,
    subject: Any,
    request: HttpRequest | None = None,
    target: models.Model | None = None,
    reason: str = "",
    details: dict[str, Any] | None = None,
) -> AuditEvent:
    """A coordinator saw ``subject``'s identifying data: ``what`` names it (``"revealed"``, ``"viewed"``…), and the
    event's action is ``identity.<what>``. ``reason`` (break-glass) is kept encrypted."""
    return record(
        IDENTITY_ACCESS + what,
        actor=actor,
        subject=subject,
        request=request,
        target=target,
        reason=reason,
        details=details,
    )
