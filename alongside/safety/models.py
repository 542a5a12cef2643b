"""Risk of harm: a supporter's (or a member's own) concern, who is alerted and when, and its timeline.

Confidentiality holds "provided there is no risk of harm". A ``Concern`` is the one, accountable way that exception
is used: raised with a level and a short note (encrypted), alerted at once to the coordinator on call (the roster's
on-call rota), escalated to the backup and then to every coordinator while nobody acknowledges it, and closed only
with an outcome. Every step is a ``ConcernEvent``: the timeline is append-only, like the audit trail.

The alerts themselves say only that a concern was raised, with a link: never the level's story, a name or a topic.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q

from alongside.lib.fields import EncryptedTextField
from alongside.lib.time import now


class Level(models.TextChoices):
    WORRIED = "worried", "Worried"
    IMMINENT = "imminent", "Imminent risk"


class Source(models.TextChoices):
    """Where the concern was raised from."""

    THREAD = "thread", "A conversation"
    CALL = "call", "A call"
    TALKNOW = "talknow", "A talk-now contact"
    CONNECTION = "connection", "An ongoing connection"
    CONTACT = "contact", "A phone contact"
    MEMBER = "member", "The member asked for help"
    GROUP = "group", "A group"


class Action(models.TextChoices):
    """What has been done already, ticked when raising (and added later on the timeline)."""

    CRISIS_LINE = "crisis_line", "Crisis line details given"
    EMERGENCY = "emergency", "Emergency services called"
    GP = "gp", "Member agreed to see their GP or doctor"
    SAFETY_PLAN = "safety_plan", "Talked through a safety plan"
    STAYED = "stayed", "Stayed with the member until help arrived"
    NONE = "none", "Nothing yet"


class Step(models.IntegerChoices):
    """How far the alert has gone while nobody has acknowledged it."""

    ON_CALL = 0, "Coordinator on call"
    BACKUP = 1, "Backup coordinator on call"
    ALL = 2, "Every coordinator"


class ClosingOutcome(models.TextChoices):
    EMERGENCY_CONTACTED = "emergency_contacted", "Emergency services were contacted"
    NOT_NEEDED = "not_needed", "Emergency services were not needed (say why)"
    REFERRED = "referred", "Referred to professional help"
    SUPPORTED = "supported", "Supported; no further action needed"
    NO_CONTACT = "no_contact", "Could not make contact (say what was tried)"


class Concern(models.Model):
    """One risk-of-harm concern. ``member`` is the person it is about (empty for a caller without an account)."""

    level = models.CharField(max_length=10, choices=Level.choices)
    source = models.CharField(max_length=12, choices=Source.choices)
    note = EncryptedTextField(blank=True, help_text="What the supporter saw or heard, in a few words.")
    actions = models.JSONField(default=list, blank=True, help_text="Action values already taken when raised.")
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="concerns_raised"
    )
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="concerns_about"
    )
    thread = models.ForeignKey(
        "conversations.Thread", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    connection = models.ForeignKey(
        "connections.Connection", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    contact = models.ForeignKey(
        "roster.ContactRecord", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    raised_at = models.DateTimeField(default=now, db_index=True)
    step = models.PositiveSmallIntegerField(choices=Step.choices, default=Step.ON_CALL)
    alerted_at = models.DateTimeField(
        null=True, blank=True, help_text="When the current step's alerts went out; empty: not yet (worker down)."
    )
    next_step_at = models.DateTimeField(
        null=True, blank=True, help_text="When the alert goes to the next step if nobody has acknowledged it."
    )
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    handler = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="concerns_handled",
        help_text="The coordinator who acknowledged it and handles it.",
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=24, choices=ClosingOutcome.choices, blank=True)

    class Meta:
        ordering = ["-raised_at", "-id"]
        indexes = [models.Index(fields=["closed_at", "acknowledged_at"])]
        constraints = [
            models.CheckConstraint(condition=Q(closed_at__isnull=True) | ~Q(outcome=""), name="concern_closed_outcome"),
        ]

    def __str__(self) -> str:
        return f"concern {self.pk}"

    @property
    def is_open(self) -> bool:
        return self.closed_at is None

    @property
    def is_imminent(self) -> bool:
        return self.level == Level.IMMINENT


class EventKind(models.TextChoices):
    RAISED = "raised", "Raised"
    ALERTED = "alerted", "Alert sent"
    ESCALATED = "escalated", "Passed to the next step"
    ACKNOWLEDGED = "acknowledged", "Acknowledged"
    ACTION = "action", "Action"
    NOTE = "note", "Note"
    REVEALED = "revealed", "Identity revealed (break-glass)"
    CLOSED = "closed", "Closed"


class ConcernEventQuerySet(models.QuerySet["ConcernEvent"]):
    """The timeline is added to, never changed or removed, by a query either."""

    def update(self, **kwargs: Any) -> int:
        raise ValueError("a concern's timeline is append-only")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise ValueError("a concern's timeline is append-only")


class ConcernEvent(models.Model):
    """One line of a concern's timeline. ``channel`` and ``recipient`` say where an alert went (app, push, email,
    sms; the coordinator's id), ``note`` holds free text (an action's detail, a closing reason), encrypted."""

    concern = models.ForeignKey(Concern, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(max_length=14, choices=EventKind.choices)
    at = models.DateTimeField(default=now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    channel = models.CharField(max_length=10, blank=True)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    step = models.PositiveSmallIntegerField(null=True, blank=True, choices=Step.choices)
    action = models.CharField(max_length=16, blank=True, choices=Action.choices)
    note = EncryptedTextField(blank=True)

    objects = ConcernEventQuerySet.as_manager()

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.kind} on concern {self.concern_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise ValueError("a concern's timeline is append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise ValueError("a concern's timeline is append-only")


class DebriefRequest(models.Model):
    """A supporter's "I need a debrief" after a hard contact: one open request per supporter, taken by a coordinator
    ("I'll call them") and marked done when they have talked. It holds no story: the talk itself is the debrief."""

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="debriefs_requested"
    )
    requested_at = models.DateTimeField(default=now, db_index=True)
    contact = models.ForeignKey(
        "roster.ContactRecord", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    concern = models.ForeignKey(Concern, null=True, blank=True, on_delete=models.SET_NULL, related_name="debriefs")
    taken_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="debriefs_taken"
    )
    taken_at = models.DateTimeField(null=True, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["requested_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["requested_by"], condition=Q(done_at__isnull=True), name="debrief_one_open_per_supporter"
            ),
            models.CheckConstraint(
                condition=Q(taken_at__isnull=True) | Q(taken_by__isnull=False), name="debrief_taken_by_someone"
            ),
        ]

    def __str__(self) -> str:
        return f"debrief request {self.pk}"

    @property
    def is_open(self) -> bool:
        return self.done_at is None


# --- conduct reports ---------------------------------------------------------------------------------------------


class ReportCategory(models.TextChoices):
    BOUNDARY = "boundary", "Crossed a boundary"
    DISRESPECTFUL = "disrespectful", "Disrespectful"
    HARASSMENT = "harassment", "Harassment or discrimination"
    CONFIDENTIAL = "confidential", "Shared something confidential"
    OTHER = "other", "Something else"


class ReportStatus(models.TextChoices):
    OPEN = "open", "Open"
    IN_REVIEW = "in_review", "In review"
    CLOSED = "closed", "Closed"


class Report(models.Model):
    """One side of a connection or talk-now conversation reports the other's conduct to the coordinators.

    The reporter sees only its state; the person reported is not told by the system. The text and the coordinators'
    outcome note are encrypted, and neither ever goes into a notification, a log or the audit trail."""

    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="reports_made"
    )
    about = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="reports_about"
    )
    connection = models.ForeignKey(
        "connections.Connection", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    thread = models.ForeignKey(
        "conversations.Thread", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    category = models.CharField(max_length=14, choices=ReportCategory.choices)
    text = EncryptedTextField(blank=True, help_text="What happened, in the reporter's words.")
    status = models.CharField(max_length=10, choices=ReportStatus.choices, default=ReportStatus.OPEN)
    outcome_note = EncryptedTextField(blank=True, help_text="The coordinators' own note; never shown to the reporter.")
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="reports_handled"
    )
    created_at = models.DateTimeField(default=now, db_index=True)
    taken_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "created_at"])]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="closed") | Q(closed_at__isnull=False), name="report_closed_has_time"
            ),
            models.CheckConstraint(
                condition=Q(status="open") | Q(taken_at__isnull=False), name="report_taken_has_time"
            ),
        ]

    def __str__(self) -> str:
        return f"report {self.pk}"

    @property
    def reporter_state(self) -> str:
        """The state as the reporter reads it: no notes, no names."""
        return {
            ReportStatus.OPEN: "We have it: a coordinator will look at it soon.",
            ReportStatus.IN_REVIEW: "A coordinator is looking at it.",
            ReportStatus.CLOSED: "Closed: a coordinator has looked at it and dealt with it.",
        }[ReportStatus(self.status)]
