"""The audit viewer's reads: events filtered by who acted, what was done, to what, and when; names for the ids."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db.models import QuerySet

from alongside.accounts.models import User
from alongside.audit.models import AuditEvent, Outcome
from alongside.service.selectors import current_settings


@dataclass(frozen=True)
class Filters:
    actor: int | None = None
    action: str = ""
    target_type: str = ""
    target_id: str = ""
    outcome: str = ""
    since: dt.date | None = None
    until: dt.date | None = None


def _account(text: str, field: str) -> int | None:
    text = text.strip()
    if not text:
        return None
    if text.isdigit():
        return int(text)
    found = User.objects.filter(profile__display_name__iexact=text).values_list("pk", flat=True).first()
    if found is None:
        raise ValidationError({field: f"Nobody is called “{text}”. Give a display name or an account number."})
    return int(found)


def _day(text: str, field: str) -> dt.date | None:
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ValidationError({field: "Give a date, such as 2026-07-01."}) from None


def parse_filters(params: dict[str, str]) -> Filters:
    """The filters from the query string; refused with words when a name or date doesn't make sense."""
    outcome = params.get("outcome", "")
    if outcome and outcome not in Outcome.values:
        raise ValidationError({"outcome": "Choose an outcome from the list."})
    since, until = _day(params.get("since", ""), "since"), _day(params.get("until", ""), "until")
    if since and until and until < since:
        raise ValidationError({"until": "The last day is before the first day: swap them round."})
    return Filters(
        actor=_account(params.get("actor", ""), "actor"),
        action=params.get("action", "").strip()[:100],
        target_type=params.get("target_type", "").strip()[:60],
        target_id=params.get("target_id", "").strip()[:64],
        outcome=outcome,
        since=since,
        until=until,
    )


def events(filters: Filters) -> QuerySet[AuditEvent]:
    qs = AuditEvent.objects.all()
    if filters.actor is not None:
        qs = qs.filter(actor_id=filters.actor)
    if filters.action:
        qs = qs.filter(action__startswith=filters.action)
    if filters.target_type:
        qs = qs.filter(target_type=filters.target_type)
    if filters.target_id:
        qs = qs.filter(target_id=filters.target_id)
    if filters.outcome:
        qs = qs.filter(outcome=filters.outcome)
    zone = zoneinfo.ZoneInfo(current_settings().time_zone)
    if filters.since:
        qs = qs.filter(at__gte=dt.datetime.combine(filters.since, dt.time(), tzinfo=zone))
    if filters.until:
        qs = qs.filter(at__lt=dt.datetime.combine(filters.until + dt.timedelta(days=1), dt.time(), tzinfo=zone))
    return qs.order_by("-at", "-id")


def names_for(rows: list[AuditEvent]) -> dict[int, str]:
    """Display names of the accounts the rows mention (actors and subjects); gone accounts are absent."""
    ids = {i for row in rows for i in (row.actor_id, row.subject_id) if i is not None}
    return dict(User.objects.filter(pk__in=ids).values_list("pk", "profile__display_name"))
