"""Writes for accounts and profiles."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest

from alongside.accounts.models import Profile, User
from alongside.audit.services import record
from alongside.directory.models import Language, Specialty, Workplace
from alongside.lib.time import now
from alongside.notifications.models import Kind
from alongside.notifications.services import notify

ROLES = ("supporter", "coordinator", "debrief_lead")
"""The roles a coordinator grants. A debrief lead (a clinician lead who starts incident debriefs) needs no second
factor unless they hold another role."""


@transaction.atomic
def save_profile(
    *,
    user: User,
    display_name: str,
    career_stage: str,
    time_zone: str,
    real_name: str = "",
    international_graduate: bool = False,
    specialty: Specialty | None = None,
    workplaces: Iterable[Workplace] = (),
    languages: Iterable[Language] = (),
    request: HttpRequest | None = None,
) -> Profile:
    """Create or update a person's profile; the first save completes sign-up."""
    profile, _created = Profile.objects.select_for_update().get_or_create(
        user=user, defaults={"display_name": display_name}
    )
    first_completion = profile.completed_at is None
    profile.display_name = display_name
    profile.real_name = real_name
    profile.career_stage = career_stage
    profile.international_graduate = international_graduate
    profile.specialty = specialty
    profile.time_zone = time_zone
    if first_completion:
        profile.completed_at = now()
    profile.full_clean(exclude=["user"])
    profile.save()
    profile.workplaces.set(workplaces)
    profile.languages.set(languages)
    record(
        "accounts.profile.completed" if first_completion else "accounts.profile.updated",
        actor=user,
        subject=user,
        target=profile,
        request=request,
    )
    if first_completion:
        notify(user_id=user.pk, kind=Kind.WELCOME, link="/")
    return profile


@transaction.atomic
def set_role(
    *, actor: User, user: User, role: str, granted: bool, reason: str = "", request: HttpRequest | None = None
) -> bool:
    """Grant or remove the supporter, coordinator or debrief lead role. Returns whether anything changed.

    The console asks the coordinator for a ``reason``; it is kept, encrypted, on the audit event.
    """
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}")
    locked = User.objects.select_for_update().get(pk=user.pk)
    field = f"is_{role}"
    if getattr(locked, field) == granted:
        return False
    if role == "coordinator" and not granted and locked.pk == actor.pk:
        raise ValidationError("You can't remove your own coordinator role; ask another coordinator.")
    # Tell the person first: saving the role re-checks their open sockets (a new supporter or coordinator without
    # MFA is refused there), and the count must reach their open page before that.
    notify(user_id=locked.pk, kind=Kind.ROLE_GRANTED if granted else Kind.ROLE_REMOVED, link="/")
    setattr(locked, field, granted)
    locked.save(update_fields=[field])
    setattr(user, field, granted)
    record(
        f"accounts.role.{'granted' if granted else 'removed'}",
        actor=actor,
        subject=locked,
        target=locked,
        request=request,
        details={"role": role},
        reason=reason,
    )
    return True
