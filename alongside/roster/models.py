"""The roster: shifts in the service's time zone, who holds a place on each, whether an on-shift supporter is free
right now, and the minimal record of every contact a supporter takes.

A ``ShiftPattern`` repeats weekly (every Tuesday 6-10 pm); ``Shift`` rows are its dated occurrences (and one-off
shifts with no pattern), stored as aware datetimes so a shift across a daylight-saving change keeps its wall-clock
hours. A ``ShiftPlace`` is one supporter's place on one shift, as primary or backup. Each pattern and shift belongs to
a ``Rota``: the supporters' (who takes contacts) or the coordinators' on-call rota (who is alerted to a concern).

A supporter is *available* at a moment when they hold a place on a shift covering it, are an active (not paused)
supporter, have not marked themselves busy, and have no open ``ContactRecord``. Talk now and the phone line open a
contact record when a contact starts and end it when it ends, so both see the same "busy" without importing one
another.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from alongside.directory.models import CareerStage, Region
from alongside.lib.time import now


class Role(models.TextChoices):
    PRIMARY = "primary", "Primary"
    BACKUP = "backup", "Backup"


class Rota(models.TextChoices):
    """Whose roster a shift is on: supporters taking contacts, or coordinators on call for concerns (safety)."""

    SUPPORT = "support", "Supporters"
    ON_CALL = "on_call", "Coordinators on call"


class ShiftPattern(models.Model):
    """A weekly shift: a weekday and wall-clock hours in the service's time zone, between two dates."""

    rota = models.CharField(max_length=10, choices=Rota.choices, default=Rota.SUPPORT)
    weekday = models.PositiveSmallIntegerField(help_text="0 = Monday … 6 = Sunday.")
    starts = models.TimeField()
    ends = models.TimeField(help_text="May be earlier than the start: the shift then ends the next day.")
    primary_places = models.PositiveSmallIntegerField(default=1)
    backup_places = models.PositiveSmallIntegerField(default=1)
    valid_from = models.DateField()
    valid_until = models.DateField(null=True, blank=True, help_text="Empty: repeats until changed.")
    created_at = models.DateTimeField(default=now)

    class Meta:
        ordering = ["weekday", "starts"]
        constraints = [
            models.CheckConstraint(condition=Q(weekday__lte=6), name="shift_pattern_weekday"),
            models.CheckConstraint(condition=~Q(starts=F("ends")), name="shift_pattern_has_length"),
            models.CheckConstraint(
                condition=Q(primary_places__gte=1, primary_places__lte=20), name="shift_pattern_primary_places"
            ),
            models.CheckConstraint(condition=Q(backup_places__lte=20), name="shift_pattern_backup_places"),
        ]

    def __str__(self) -> str:
        return f"shift pattern {self.pk}"

    @property
    def weekday_name(self) -> str:
        return ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")[self.weekday]


class PatternPlace(models.Model):
    """A supporter's standing place on a pattern: copied onto each new occurrence."""

    pattern = models.ForeignKey(ShiftPattern, on_delete=models.CASCADE, related_name="places")
    supporter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.PRIMARY)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["pattern", "supporter"], name="pattern_place_once")]

    def __str__(self) -> str:
        return f"{self.role} place on pattern {self.pattern_id}"


class Shift(models.Model):
    """One dated shift. ``pattern`` is empty for a one-off; a cancelled shift keeps its row for the record."""

    pattern = models.ForeignKey(ShiftPattern, null=True, blank=True, on_delete=models.SET_NULL, related_name="shifts")
    rota = models.CharField(
        max_length=10, choices=Rota.choices, default=Rota.SUPPORT, help_text="Copied from the pattern."
    )
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    primary_places = models.PositiveSmallIntegerField(default=1)
    backup_places = models.PositiveSmallIntegerField(default=1)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    edited_at = models.DateTimeField(
        null=True, blank=True, help_text="Set by any one-off change; a changed pattern never replaces an edited shift."
    )
    created_at = models.DateTimeField(default=now)

    class Meta:
        ordering = ["starts_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="shift_ends_after_start"),
            models.UniqueConstraint(
                fields=["pattern", "starts_at"], condition=Q(pattern__isnull=False), name="shift_once_per_pattern_start"
            ),
        ]
        indexes = [models.Index(fields=["starts_at", "ends_at"]), models.Index(fields=["rota", "starts_at"])]

    def __str__(self) -> str:
        return f"shift {self.pk}"

    @property
    def duration(self) -> dt.timedelta:
        return self.ends_at - self.starts_at


class ShiftPlace(models.Model):
    """One supporter's place on one shift. ``cover_wanted_at`` set: they have offered it to others for swap or cover."""

    shift = models.ForeignKey(Shift, on_delete=models.CASCADE, related_name="places")
    supporter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="shift_places")
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.PRIMARY)
    cover_wanted_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=now)

    class Meta:
        ordering = ["shift__starts_at", "role", "id"]
        constraints = [models.UniqueConstraint(fields=["shift", "supporter"], name="shift_place_once")]
        indexes = [models.Index(fields=["supporter", "shift"])]

    def __str__(self) -> str:
        return f"{self.role} place on shift {self.shift_id}"


class Presence(models.Model):
    """An on-shift supporter's own choice: free to take contacts, or busy for now (a break, a hard call)."""

    supporter = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="presence")
    busy_by_choice = models.BooleanField(default=False)
    changed_at = models.DateTimeField(default=now)

    def __str__(self) -> str:
        return f"presence of {self.supporter_id}"


class ContactFormat(models.TextChoices):
    TALKNOW_CHAT = "talknow_chat", "Talk now: chat"
    TALKNOW_VOICE = "talknow_voice", "Talk now: in-app voice"
    PHONE = "phone", "Phone line"
    CALLBACK = "callback", "Call-back"
    SESSION_PHONE = "session_phone", "Session by phone"


class ContactRecord(models.Model):
    """The 30-second record of one contact: no names, no story. Open (``ended_at`` empty) while the contact runs,
    which makes the supporter busy; ``filed_at`` is set when the supporter has filled it in."""

    supporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="contact_records",
        help_text="Empty once the supporter deleted their account: the record, which names nobody, stays.",
    )
    format = models.CharField(max_length=20, choices=ContactFormat.choices)
    started_at = models.DateTimeField(default=now)
    ended_at = models.DateTimeField(null=True, blank=True)
    filed_at = models.DateTimeField(null=True, blank=True)
    topics = models.ManyToManyField("directory.Topic", blank=True, related_name="+")
    career_stage = models.CharField(max_length=20, choices=CareerStage.choices, blank=True)
    region = models.CharField(
        max_length=3,
        choices=Region.choices,
        blank=True,
        default="",
        db_default="",
        help_text="Where the colleague works, when known: from their workplace, or as they said. For figures only.",
    )
    minutes = models.PositiveSmallIntegerField(null=True, blank=True, help_text="How long the contact lasted.")
    referral_given = models.BooleanField(default=False)
    risk_raised = models.BooleanField(default=False)
    hard_for_me = models.BooleanField(
        default=False, db_default=False, help_text="The supporter found this contact hard (wellbeing)."
    )

    class Meta:
        ordering = ["-started_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_at__isnull=True) | Q(ended_at__gte=F("started_at")), name="contact_ends_after_start"
            ),
            models.CheckConstraint(
                condition=Q(filed_at__isnull=True) | Q(ended_at__isnull=False), name="contact_filed_after_end"
            ),
        ]
        indexes = [models.Index(fields=["supporter", "ended_at"]), models.Index(fields=["started_at"])]

    def __str__(self) -> str:
        return f"contact record {self.pk}"

    @property
    def is_open(self) -> bool:
        return self.ended_at is None


class WellbeingNudge(models.Model):
    """A gentle nudge sent to a supporter (and the coordinator on call) after several hard contacts in a week; one
    row per nudge, so a supporter is nudged at most once a week."""

    supporter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    sent_at = models.DateTimeField(default=now)
    hard_contacts = models.PositiveSmallIntegerField()

    class Meta:
        indexes = [models.Index(fields=["supporter", "sent_at"])]

    def __str__(self) -> str:
        return f"wellbeing nudge {self.pk}"


class GapAlert(models.Model):
    """One row per service-local day on which the coordinators were emailed about roster gaps: the daily task
    claims the day by creating it, so a second run on the same day sends nothing."""

    day = models.DateField(unique=True)
    sent_at = models.DateTimeField(default=now)
    gaps = models.PositiveSmallIntegerField(default=0)

    def __str__(self) -> str:
        return f"gap alert {self.day}"
