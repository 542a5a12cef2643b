"""Reads for the coordinator console."""

from __future__ import annotations

from allauth.mfa.models import Authenticator
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.db.models.functions import Lower

from alongside.accounts.models import User
from alongside.audit.models import AuditEvent
from alongside.directory.models import Workplace
from alongside.library.models import Resource

WORDS = 8  # more search words than this are ignored


def overview_counts() -> dict[str, int]:
    """The console's front page: people by role, the library, active workplaces."""
    active = User.objects.filter(is_active=True)
    return {
        "members": active.filter(is_supporter=False, is_coordinator=False).count(),
        "supporters": active.filter(is_supporter=True).count(),
        "coordinators": active.filter(is_coordinator=True).count(),
        "resources": Resource.objects.count(),
        "crisis_lines": Resource.objects.filter(is_crisis=True).count(),
        "workplaces": Workplace.objects.filter(active=True).count(),
    }


def search_workplaces(*, query: str = "", region: str = "", status: str = "") -> QuerySet[Workplace]:
    qs = Workplace.objects.all()
    if region:
        qs = qs.filter(region=region)
    if status == "active":
        qs = qs.filter(active=True)
    elif status == "inactive":
        qs = qs.filter(active=False)
    for word in query.split()[:WORDS]:
        qs = qs.filter(name__icontains=word)
    return qs.order_by(Lower("name"))


ROLE_FILTERS = {
    "member": Q(is_supporter=False, is_coordinator=False, is_active=True),
    "supporter": Q(is_supporter=True, is_active=True),
    "coordinator": Q(is_coordinator=True, is_active=True),
    "inactive": Q(is_active=False),
}


def search_people(*, query: str = "", role: str = "") -> QuerySet[User]:
    """Accounts by display name, with whether each has enrolled an authenticator app."""
    qs = User.objects.select_related("profile").annotate(
        mfa_enrolled=Exists(Authenticator.objects.filter(user_id=OuterRef("pk"), type=Authenticator.Type.TOTP))
    )
    if role in ROLE_FILTERS:
        qs = qs.filter(ROLE_FILTERS[role])
    for word in query.split()[:WORDS]:
        qs = qs.filter(profile__display_name__icontains=word)
    return qs.order_by(Lower("profile__display_name").asc(nulls_last=True), "pk")


def person(pk: int) -> User | None:
    return search_people().filter(pk=pk).first()


ACCOUNT_EVENTS = ("accounts.role.", "accounts.user.", "accounts.mfa.", "accounts.deleted")


def account_events(user: User, limit: int = 20) -> list[AuditEvent]:
    """Recent role and account changes about ``user``: what a coordinator needs before changing them again."""
    q = Q()
    for prefix in ACCOUNT_EVENTS:
        q |= Q(action__startswith=prefix)
    return list(AuditEvent.objects.filter(q, subject_id=user.pk).order_by("-at", "-id")[:limit])
