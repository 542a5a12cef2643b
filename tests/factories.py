"""factory_boy factories for the shared cast and reference data."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import factory
from allauth.account.models import EmailAddress
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

from alongside.accounts.models import Profile, User
from alongside.directory.models import CareerStage, Language, Specialty, Topic, Workplace
from alongside.lib.time import now
from alongside.library.models import Category, Resource
from alongside.roster.models import Role, Rota, Shift, ShiftPlace
from alongside.supporters.models import SupporterProfile

PASSWORD = "correct horse battery staple"


class WorkplaceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Workplace

    name = factory.Sequence(lambda n: f"Test Health Service {n}")


class SpecialtyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Specialty

    name = factory.Sequence(lambda n: f"Specialty {n}")


class TopicFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Topic

    slug = factory.Sequence(lambda n: f"topic-{n}")
    name = factory.Sequence(lambda n: f"Topic {n}")


class LanguageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Language
        django_get_or_create = ("code",)

    code = "en"
    name = "English"


class ResourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Resource

    title = factory.Sequence(lambda n: f"Resource {n}")
    description = "A support service for doctors."
    url = "https://example.org/support"
    category = Category.PEER_SUPPORT


class UserFactory(factory.django.DjangoModelFactory):
    """A verified user with a complete profile. Supporters and coordinators get TOTP enrolled."""

    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def finish(obj: User, create: bool, extracted: Any, **kwargs: Any) -> None:
        if not create:
            return
        obj.save()
        EmailAddress.objects.create(user=obj, email=obj.email, verified=True, primary=True)
        if kwargs.get("profile", True):
            profile = Profile.objects.create(
                user=obj,
                display_name=kwargs.get("display_name") or f"Peer {obj.pk}",
                career_stage=CareerStage.REGISTRAR,
                completed_at=now(),
            )
            profile.languages.add(LanguageFactory())
        if obj.needs_mfa and kwargs.get("mfa", True):
            obj.totp_secret = generate_totp_secret()  # type: ignore[attr-defined]
            TOTP.activate(obj, obj.totp_secret)  # type: ignore[attr-defined]


def _make(display_name: str | None = None, mfa: bool = True, profile: bool = True, **kwargs: Any) -> User:
    user: User = UserFactory(finish__display_name=display_name, finish__mfa=mfa, finish__profile=profile, **kwargs)
    return user


def member(**kwargs: Any) -> User:
    return _make(**kwargs)


def supporter(**kwargs: Any) -> User:
    return _make(is_supporter=True, **kwargs)


def coordinator(**kwargs: Any) -> User:
    return _make(is_coordinator=True, **kwargs)


def shift(
    *,
    starts_at: dt.datetime | None = None,
    hours: float = 4,
    primary: Sequence[User] = (),
    backup: Sequence[User] = (),
) -> Shift:
    """A one-off shift (from now by default) with these supporters on it; each gets an active supporter profile."""
    start = starts_at or now() - dt.timedelta(minutes=30)
    row = Shift.objects.create(
        starts_at=start,
        ends_at=start + dt.timedelta(hours=hours),
        primary_places=max(1, len(primary)),
        backup_places=len(backup),
    )
    for role, people in ((Role.PRIMARY, primary), (Role.BACKUP, backup)):
        for person in people:
            SupporterProfile.objects.get_or_create(user=person)
            ShiftPlace.objects.create(shift=row, supporter=person, role=role)
    return row


def on_call(
    *,
    starts_at: dt.datetime | None = None,
    hours: float = 4,
    primary: Sequence[User] = (),
    backup: Sequence[User] = (),
) -> Shift:
    """A one-off on-call shift (from now by default) with these coordinators on call, primary and backup."""
    start = starts_at or now() - dt.timedelta(minutes=30)
    row = Shift.objects.create(
        rota=Rota.ON_CALL,
        starts_at=start,
        ends_at=start + dt.timedelta(hours=hours),
        primary_places=max(1, len(primary)),
        backup_places=len(backup),
    )
    for role, people in ((Role.PRIMARY, primary), (Role.BACKUP, backup)):
        for person in people:
            ShiftPlace.objects.create(shift=row, supporter=person, role=role)
    return row
