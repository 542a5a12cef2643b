"""Who is on shift and who can take a contact right now: the one place talk now and the phone line ask."""

from __future__ import annotations

import datetime as dt

from django.db.models import Exists, OuterRef, Q, QuerySet

from alongside.lib.time import now
from alongside.roster.models import ContactRecord, Presence, Role, ShiftPlace
from alongside.supporters.models import SupporterStatus


def places_at(at: dt.datetime | None = None) -> QuerySet[ShiftPlace]:
    """Places on shifts (not cancelled) that cover ``at``, held by active supporters."""
    at = at or now()
    return ShiftPlace.objects.filter(
        shift__starts_at__lte=at,
        shift__ends_at__gt=at,
        shift__cancelled_at__isnull=True,
        supporter__is_active=True,
        supporter__is_supporter=True,
        supporter__supporter__status=SupporterStatus.ACTIVE,
    )


def on_shift_ids(at: dt.datetime | None = None, *, role: str | None = None) -> list[int]:
    """Supporters on shift at ``at`` (free or busy), optionally only primary or only backup places."""
    places = places_at(at)
    if role is not None:
        places = places.filter(role=role)
    return sorted(set(places.values_list("supporter_id", flat=True)))


def available_ids(at: dt.datetime | None = None, *, role: str | None = Role.PRIMARY) -> list[int]:
    """On-shift supporters free to take a contact now: not busy by choice and in no open contact.

    ``role=None`` takes both primary and backup places; a supporter holding both counts once.
    """
    places = places_at(at).filter(
        ~Exists(Presence.objects.filter(supporter_id=OuterRef("supporter_id"), busy_by_choice=True)),
        ~Exists(ContactRecord.objects.filter(supporter_id=OuterRef("supporter_id"), ended_at__isnull=True)),
    )
    if role is not None:
        places = places.filter(role=role)
    return sorted(set(places.values_list("supporter_id", flat=True)))


def is_on_shift(user_id: int, at: dt.datetime | None = None) -> bool:
    return places_at(at).filter(supporter_id=user_id).exists()


def is_available(user_id: int, at: dt.datetime | None = None) -> bool:
    return user_id in available_ids(at, role=None) if is_on_shift(user_id, at) else False


def open_contact_of(user_id: int) -> ContactRecord | None:
    return ContactRecord.objects.filter(supporter_id=user_id, ended_at__isnull=True).first()


def unfiled_contacts(user_id: int) -> QuerySet[ContactRecord]:
    """Contacts that have ended and still wait for the supporter's 30-second record."""
    return ContactRecord.objects.filter(supporter_id=user_id, ended_at__isnull=False, filed_at__isnull=True)


def busy_reason(user_id: int) -> str:
    """'' when free; otherwise why, in the supporter's own words on their pages."""
    if ContactRecord.objects.filter(supporter_id=user_id, ended_at__isnull=True).exists():
        return "in a conversation"
    if Presence.objects.filter(Q(supporter_id=user_id) & Q(busy_by_choice=True)).exists():
        return "busy by choice"
    return ""
