"""Reads of the audit trail."""

from __future__ import annotations

from django.db.models import QuerySet

from alongside.audit.models import AuditEvent
from alongside.audit.services import IDENTITY_ACCESS


def access_log(user_id: int) -> QuerySet[AuditEvent]:
    """Every access by staff to this person's identifying data, newest first: their own access log."""
    return AuditEvent.objects.filter(subject_id=user_id, action__startswith=IDENTITY_ACCESS).order_by("-at", "-id")
