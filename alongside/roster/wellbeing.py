"""Supporters are people too: after ``HARD_CONTACTS`` hard contacts within a week (ones the supporter marked as
hard for them, or where a risk of harm was raised), a gentle nudge to the supporter (a debrief might help) and to
the coordinator on call (or every coordinator when nobody is on call). At most one nudge a week per supporter; the
notifications say only that it happened, never which contacts."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q

from alongside.accounts.models import User
from alongside.audit.services import record
from alongside.lib.time import now
from alongside.notifications.models import Kind
from alongside.notifications.services import notify
from alongside.roster.models import ContactRecord, WellbeingNudge
from alongside.roster.selectors import on_call_ids
from alongside.supporters.models import SupporterProfile

HARD_CONTACTS = 3
WEEK = dt.timedelta(days=7)


def hard_contacts_this_week(supporter_id: int, *, at: dt.datetime | None = None) -> int:
    since = (at or now()) - WEEK
    return (
        ContactRecord.objects.filter(supporter_id=supporter_id, started_at__gte=since, filed_at__isnull=False)
        .filter(Q(hard_for_me=True) | Q(risk_raised=True))
        .count()
    )


def nudge_after_hard_week(*, supporter: User, at: dt.datetime | None = None) -> bool:
    """Nudge once a week at most, from the third hard contact on. True when a nudge went out. Runs inside the
    caller's transaction, after the supporter's row was locked by ``file_contact``'s record lock."""
    at = at or now()
    count = hard_contacts_this_week(supporter.pk, at=at)
    if count < HARD_CONTACTS:
        return False
    User.objects.select_for_update().filter(pk=supporter.pk).first()  # two filings at once nudge once
    if WellbeingNudge.objects.filter(supporter=supporter, sent_at__gte=at - WEEK).exists():
        return False
    nudge = WellbeingNudge.objects.create(supporter=supporter, sent_at=at, hard_contacts=count)
    notify(user_id=supporter.pk, kind=Kind.HARD_WEEK, link="/debrief/")
    coordinators = on_call_ids(at) or list(
        User.objects.filter(is_coordinator=True, is_active=True).values_list("pk", flat=True)
    )
    profile_id = SupporterProfile.objects.filter(user=supporter).values_list("pk", flat=True).first()
    link = f"/console/supporters/{profile_id}/" if profile_id else "/console/supporters/"
    for coordinator_id in coordinators:
        if coordinator_id != supporter.pk:
            notify(user_id=coordinator_id, kind=Kind.HARD_WEEK_COORDINATOR, link=link)
    record("roster.wellbeing.nudged", subject=supporter, target=nudge, details={"hard_contacts": count})
    return True
