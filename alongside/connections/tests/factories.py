"""Builders for connections tests and the permission matrix: real rows, made the way the services make them."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings

from alongside.accounts.models import User
from alongside.connections.models import (
    Connection,
    Offer,
    OfferSource,
    RequestStatus,
    Suggestion,
    SupportRequest,
)
from alongside.directory.models import Language
from alongside.lib.time import now
from alongside.supporters.models import SupporterProfile

EVENINGS = [{"day": d, "start": "18:00", "end": "21:00"} for d in range(7)]


def supporter_profile(user: User, **fields: Any) -> SupporterProfile:
    """A supporter profile with room, every format and evening availability, unless told otherwise."""
    defaults: dict[str, Any] = {
        "bio": "I have been there.",
        "formats": ["chat", "voice", "phone", "video"],
        "capacity": 3,
        "availability": EVENINGS,
    }
    defaults.update(fields)
    profile, _ = SupporterProfile.objects.update_or_create(user=user, defaults=defaults)
    return profile


def support_request(member: User, **fields: Any) -> SupportRequest:
    """A request made directly (no suggestions), English, every format, evenings."""
    defaults: dict[str, Any] = {
        "formats": ["chat", "voice", "phone", "video"],
        "availability": EVENINGS,
        "time_zone": "Australia/Melbourne",
    }
    defaults.update(fields)
    made = SupportRequest.objects.create(member=member, **defaults)
    made.languages.set(Language.objects.filter(code="en"))
    return made


def offer(request: SupportRequest, profile: SupporterProfile, **fields: Any) -> Offer:
    Suggestion.objects.get_or_create(
        request=request,
        supporter=profile,
        defaults={"rank": Suggestion.objects.filter(request=request).count() + 1, "score": 1.0, "reasons": []},
    )
    made = Offer.objects.create(request=request, supporter=profile, source=OfferSource.MEMBER, **fields)
    request.status = RequestStatus.OFFERED
    request.save(update_fields=["status"])
    return made


def connection(member: User, supporter: User, **fields: Any) -> Connection:
    """An active connection between a member and a supporter, with its request and accepted offer."""
    profile = SupporterProfile.objects.filter(user=supporter).first() or supporter_profile(supporter)
    request = support_request(member)
    made_offer = offer(request, profile)
    at = now()
    made_offer.status, made_offer.responded_at = "accepted", at
    made_offer.save()
    request.status, request.matched_at, request.closed_at = RequestStatus.MATCHED, at, at
    request.save()
    defaults: dict[str, Any] = {
        "started_at": at,
        "review_due_at": at + dt.timedelta(days=settings.ALONGSIDE_REVIEW_AFTER_DAYS),
        "review_due_sessions": settings.ALONGSIDE_REVIEW_AFTER_SESSIONS,
    }
    defaults.update(fields)
    return Connection.objects.create(member=member, supporter=profile, request=request, offer=made_offer, **defaults)


def set_person(
    user: User,
    *,
    career_stage: str | None = None,
    workplaces: Any = None,
    languages: Any = None,
    time_zone: str | None = None,
    specialty: Any = None,
) -> User:
    """Adjust the person's own profile (what both members and supporters have)."""
    profile = user.profile  # type: ignore[attr-defined]
    if career_stage is not None:
        profile.career_stage = career_stage
    if time_zone is not None:
        profile.time_zone = time_zone
    if specialty is not None:
        profile.specialty = specialty
    profile.save()
    if workplaces is not None:
        profile.workplaces.set(workplaces)
    if languages is not None:
        profile.languages.set(languages)
    return user


def clean_supporter(display_name: str | None = None, **profile_fields: Any) -> SupporterProfile:
    """A new supporter account with a supporter profile: room for 3, every format, free every evening."""
    from tests import factories

    topics = profile_fields.pop("topics", None)
    user = factories.supporter(display_name=display_name)
    profile = supporter_profile(user, **profile_fields)
    if topics is not None:
        profile.topics.set(topics)
    return profile
