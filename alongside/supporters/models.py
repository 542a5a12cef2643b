"""Peer supporters: how they describe themselves to members, and how much they can take on."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from alongside.lib.fields import EncryptedTextField
from alongside.lib.time import now


class Format(models.TextChoices):
    CHAT = "chat", "Chat"
    VOICE = "voice", "In-app voice"
    PHONE = "phone", "Phone (through the service's number)"
    VIDEO = "video", "Video link"


class SupporterStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    PAUSED = "paused", "Paused"
    INACTIVE = "inactive", "Inactive"


class SupporterProfile(models.Model):
    """A supporter's peer-facing profile. Workplaces come from the person's own profile and are never shown."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="supporter")
    bio = models.TextField(max_length=600, blank=True, help_text="A few sentences peers see. Keep it pseudonymous.")
    specialties = models.ManyToManyField("directory.Specialty", blank=True, related_name="+")
    topics = models.ManyToManyField("directory.Topic", blank=True, related_name="supporters")
    gender = models.CharField(
        max_length=40, blank=True, help_text="Optional, in your own words. Used only when a member asks for it."
    )
    formats = models.JSONField(default=list, blank=True)
    capacity = models.PositiveSmallIntegerField(default=3, help_text="Most active connections at once.")
    status = models.CharField(max_length=10, choices=SupporterStatus.choices, default=SupporterStatus.ACTIVE)
    paused_until = models.DateField(null=True, blank=True)
    paused_for = models.CharField(
        max_length=12,
        choices=[("", "A coordinator or the supporter"), ("training", "Required training is out of date")],
        blank=True,
        default="",
        db_default="",
        help_text="Why offers and shifts are paused when the system paused them; training resumes them once current.",
    )
    availability = models.JSONField(
        default=list, blank=True, help_text="Weekly windows in the supporter's own time zone: [{day, start, end}]."
    )
    last_active_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=models.Q(capacity__lte=20), name="supporter_capacity_at_most_20"),
        ]

    def __str__(self) -> str:
        return f"supporter {self.user_id}"


# --- becoming a supporter (issue 13): the application, its referees, and training ------------------------------


REGISTRATION_PATTERN = r"[A-Z]{3}\d{10}"
"""A medical registration number as the national register writes it (three letters, ten digits: MED0001234567).
Only its format is checked here; a coordinator looks it up on the public register and records that they did."""


class ApplicationStatus(models.TextChoices):
    """Each step is taken by a coordinator (the applicant may withdraw); every step is audited and the applicant is
    told what happens next."""

    APPLIED = "applied", "Applied"
    REFERENCES = "references", "Waiting for references"
    INTERVIEW = "interview", "Interview"
    TRAINING = "training", "Training"
    ACTIVE = "active", "Active supporter"
    PAUSED = "paused", "Paused"
    RETIRED = "retired", "Retired"
    DECLINED = "declined", "Not going ahead"
    WITHDRAWN = "withdrawn", "Withdrawn"


NEXT_STATUSES: dict[str, tuple[str, ...]] = {
    ApplicationStatus.APPLIED: (ApplicationStatus.REFERENCES, ApplicationStatus.DECLINED),
    ApplicationStatus.REFERENCES: (ApplicationStatus.INTERVIEW, ApplicationStatus.DECLINED),
    ApplicationStatus.INTERVIEW: (ApplicationStatus.TRAINING, ApplicationStatus.DECLINED),
    ApplicationStatus.TRAINING: (ApplicationStatus.ACTIVE, ApplicationStatus.DECLINED),
    ApplicationStatus.ACTIVE: (ApplicationStatus.PAUSED, ApplicationStatus.RETIRED),
    ApplicationStatus.PAUSED: (ApplicationStatus.ACTIVE, ApplicationStatus.RETIRED),
    ApplicationStatus.RETIRED: (),
    ApplicationStatus.DECLINED: (),
    ApplicationStatus.WITHDRAWN: (),
}
"""The steps a coordinator may take from each status."""
CLOSED_STATUSES = (ApplicationStatus.RETIRED, ApplicationStatus.DECLINED, ApplicationStatus.WITHDRAWN)


class Application(models.Model):
    """A doctor's application to become a peer supporter. One open application per person."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="supporter_applications")
    full_name = EncryptedTextField(help_text="The name referees and the register know the applicant by.")
    registration_number = models.CharField(max_length=13)
    registration_checked_at = models.DateTimeField(
        null=True, blank=True, help_text="When a coordinator confirmed the number on the public register."
    )
    registration_checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    specialty = models.ForeignKey("directory.Specialty", null=True, blank=True, on_delete=models.SET_NULL)
    career_stage = models.CharField(max_length=20)
    motivation = EncryptedTextField(help_text="Why they want to support colleagues, in their own words.")
    availability = models.JSONField(
        default=list, blank=True, help_text="Weekly windows in the applicant's time zone: [{day, start, end}]."
    )
    hours_per_month = models.PositiveSmallIntegerField(default=4)
    status = models.CharField(max_length=12, choices=ApplicationStatus.choices, default=ApplicationStatus.APPLIED)
    status_changed_at = models.DateTimeField(default=now)
    submitted_at = models.DateTimeField(default=now)

    class Meta:
        ordering = ["-submitted_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user"],
                condition=~models.Q(status__in=["retired", "declined", "withdrawn"]),
                name="application_one_open_per_person",
            ),
            models.CheckConstraint(
                condition=models.Q(hours_per_month__gte=1, hours_per_month__lte=80), name="application_hours_1_80"
            ),
        ]
        indexes = [models.Index(fields=["status", "submitted_at"])]

    def __str__(self) -> str:
        return f"application {self.pk}"


class Referee(models.Model):
    """A referee of an application. They get a private form link that expires; only a hash of its secret is kept
    (the token is ``selector + verifier``, as the calendar feed's). Their answer is encrypted."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="referees")
    name = EncryptedTextField()
    email = EncryptedTextField()
    relationship = models.CharField(
        max_length=80, help_text='How they know the applicant, e.g. "supervising consultant".'
    )
    selector = models.CharField(max_length=16, unique=True)
    verifier_hash = models.CharField(max_length=64)
    expires_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)
    opened_at = models.DateTimeField(null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    recommends = models.BooleanField(null=True, blank=True)
    answer = EncryptedTextField(blank=True, help_text="The referee's words about the applicant's suitability.")

    class Meta:
        ordering = ["application", "id"]

    def __str__(self) -> str:
        return f"referee {self.pk}"


class TrainingModule(models.Model):
    """A module coordinators define. A required module must be current for a supporter to be offered work."""

    title = models.CharField(max_length=120)
    materials_url = models.URLField(blank=True)
    required = models.BooleanField(default=True)
    renewal_months = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Months a completion stays current; empty: it never expires."
    )
    created_at = models.DateTimeField(default=now)
    retired_at = models.DateTimeField(null=True, blank=True, help_text="No longer asked of anyone.")

    class Meta:
        ordering = ["-required", "title", "id"]

    def __str__(self) -> str:
        return self.title


class TrainingRecord(models.Model):
    """A supporter's completion of a module: recorded by them, confirmed by a coordinator. A renewal replaces the
    dates (the audit trail keeps each completion)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="training_records")
    module = models.ForeignKey(TrainingModule, on_delete=models.CASCADE, related_name="records")
    completed_on = models.DateField()
    confirmed_at = models.DateTimeField(null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    expires_on = models.DateField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True, help_text="The 30-day reminder; claimed by the task.")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "module"], name="training_record_once")]
        indexes = [models.Index(fields=["expires_on"])]

    def __str__(self) -> str:
        return f"training record {self.pk}"
