"""Writes to the roster's live state: a supporter's own busy switch, and contacts opening and ending.

Talk now and the phone line call ``open_contact`` when a supporter takes a contact (which makes them busy for every
other dispatcher at once) and ``end_contact`` when it ends (which prompts the 30-second record).
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from alongside.accounts.models import User
from alongside.lib.time import now
from alongside.roster.models import ContactRecord, Presence

STALE_CONTACT_HOURS = 4
"""An open contact older than this lost its end (a process died); the sweeper ends it so its supporter is free."""


def set_busy_by_choice(*, supporter: User, busy: bool) -> Presence:
    presence, _ = Presence.objects.update_or_create(
        supporter=supporter, defaults={"busy_by_choice": busy, "changed_at": now()}
    )
    return presence


@transaction.atomic
def open_contact(*, supporter_id: int, format: str) -> ContactRecord:
    return ContactRecord.objects.create(supporter_id=supporter_id, format=format, started_at=now())


def end_contact(*, record_id: int) -> bool:
    """End an open contact (idempotent): True when this call ended it. Minutes are filled from the times."""
    record = ContactRecord.objects.filter(pk=record_id, ended_at__isnull=True).first()
    if record is None:
        return False
    ended = now()
    minutes = max(1, round((ended - record.started_at).total_seconds() / 60))
    return bool(
        ContactRecord.objects.filter(pk=record_id, ended_at__isnull=True).update(ended_at=ended, minutes=minutes)
    )


def end_stale_contacts() -> int:
    cutoff = now() - dt.timedelta(hours=STALE_CONTACT_HOURS)
    stale = ContactRecord.objects.filter(ended_at__isnull=True, started_at__lt=cutoff)
    return sum(end_contact(record_id=pk) for pk in stale.values_list("pk", flat=True))
