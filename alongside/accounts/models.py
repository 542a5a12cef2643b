"""Users, roles and pseudonymous profiles."""

from __future__ import annotations

from typing import Any, ClassVar

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone

from alongside.directory.models import CareerStage
from alongside.lib.fields import EncryptedTextField

FORMER_MEMBER = "a former member"
"""How a person who deleted their account appears to the people they talked with."""


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> User:
        if not email:
            raise ValueError("an email address is required")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.update(is_staff=True, is_superuser=True)
        return self.create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """An account. Peers never see the email; they see the profile's display name."""

    email = models.EmailField(max_length=254, unique=True)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False, help_text="May open the Django admin (superusers only in practice).")
    is_supporter = models.BooleanField(default=False)
    is_coordinator = models.BooleanField(default=False)
    is_debrief_lead = models.BooleanField(
        default=False,
        db_default=False,
        help_text="A clinician lead: may start incident debriefs for their team (groups.debriefs).",
    )
    is_guest = models.BooleanField(
        default=False,
        db_default=False,
        help_text="A debrief guest: joined through an invitation link under a first name, with no email of their own, "
        "and may open only that debrief; the account goes when the link expires.",
    )
    date_joined = models.DateTimeField(default=timezone.now)

    objects: ClassVar[UserManager] = UserManager()  # type: ignore[assignment]

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    is_former: ClassVar[bool] = False
    """True only on the stand-in ``former_member()`` gives for someone who deleted their account."""

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        # Deliberately not the email: str(user) ends up in logs and templates.
        return f"user {self.pk}"

    @property
    def needs_mfa(self) -> bool:
        """Supporters, coordinators and superusers must use a second factor."""
        return self.is_supporter or self.is_coordinator or self.is_superuser

    @property
    def display_name(self) -> str:
        if self.is_former:
            return FORMER_MEMBER
        profile = getattr(self, "profile", None)
        return profile.display_name if profile is not None and profile.display_name else "Someone"


def former_member() -> User:
    """A stand-in, never saved, for the person on the other side who deleted their account: no id, no profile,
    shown as "a former member"."""
    person = User(is_active=False)
    person.is_former = True  # type: ignore[misc]
    return person


class Profile(models.Model):
    """What a person tells the service about themselves.

    Peers see only the display name, career stage, specialty and languages. The real
    name is optional, encrypted, and shown to no peer. Workplaces only steer matching
    away from conflicts of interest.
    """

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="profile")
    display_name = models.CharField(max_length=40)
    real_name = EncryptedTextField(blank=True)
    career_stage = models.CharField(max_length=20, choices=CareerStage.choices, blank=True)
    international_graduate = models.BooleanField(default=False)
    specialty = models.ForeignKey("directory.Specialty", null=True, blank=True, on_delete=models.SET_NULL)
    workplaces = models.ManyToManyField("directory.Workplace", blank=True, related_name="+")
    languages = models.ManyToManyField("directory.Language", blank=True, related_name="+")
    time_zone = models.CharField(max_length=64, default="Australia/Melbourne")
    completed_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(Lower("display_name"), name="profile_display_name_unique_ci")]

    def __str__(self) -> str:
        return self.display_name

    @property
    def is_complete(self) -> bool:
        return self.completed_at is not None
