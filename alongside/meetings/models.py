"""Sessions: the scheduled meetings of an ongoing connection, and each person's private calendar feed."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q

from alongside.lib.time import now

SESSION_MINUTES = (30, 45, 60, 90)
"""The lengths a session may be proposed for."""


class SessionStatus(models.TextChoices):
    PROPOSED = "proposed", "Proposed"
    AGREED = "agreed", "Agreed"
    CANCELLED = "cancelled", "Cancelled"
    HELD = "held", "Held"
    SUPERSEDED = "superseded", "Another time was proposed"


class Session(models.Model):
    """A scheduled meeting of a connection. Stored in UTC; each side sees it in their own time zone.

    One side proposes; the other agrees or proposes another time, which supersedes the
    first (a new row that ``replaces`` it). Either side can cancel. A past agreed session
    is marked held, which counts towards the connection's review point.
    """

    connection = models.ForeignKey("connections.Connection", on_delete=models.CASCADE, related_name="sessions")
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Empty once the proposer deleted their account (the session stays in the peer's history).",
    )
    starts_at = models.DateTimeField(db_index=True)
    minutes = models.PositiveSmallIntegerField(default=60)
    medium = models.CharField(max_length=10, help_text="A supporters.Format value both sides accept.")
    proposed_in = models.CharField(max_length=64, help_text="The time zone the proposer entered the time in.")
    status = models.CharField(max_length=10, choices=SessionStatus.choices, default=SessionStatus.PROPOSED)
    replaces = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="replaced_by"
    )
    created_at = models.DateTimeField(default=now)
    agreed_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    held_at = models.DateTimeField(null=True, blank=True)
    reminded_24h_at = models.DateTimeField(null=True, blank=True, help_text="Claimed by the reminder task.")
    reminded_1h_at = models.DateTimeField(null=True, blank=True, help_text="Claimed by the reminder task.")

    class Meta:
        # Made when sessions lived in connections; the table keeps its name and its data.
        db_table = "connections_session"
        ordering = ["starts_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["connection"], condition=Q(status="proposed"), name="session_one_proposal_per_connection"
            ),
            models.CheckConstraint(condition=Q(minutes__gte=15, minutes__lte=180), name="session_minutes_15_180"),
            models.CheckConstraint(
                condition=~Q(status__in=["agreed", "held"]) | Q(agreed_at__isnull=False),
                name="session_agreed_has_time",
            ),
            models.CheckConstraint(
                condition=~Q(status="cancelled") | Q(cancelled_at__isnull=False), name="session_cancelled_has_time"
            ),
            models.CheckConstraint(
                condition=~Q(status="held") | Q(held_at__isnull=False), name="session_held_has_time"
            ),
        ]
        indexes = [models.Index(fields=["status", "starts_at"])]

    def __str__(self) -> str:
        return f"session {self.pk}"

    def get_absolute_url(self) -> str:
        return f"/sessions/{self.pk}/"

    @property
    def ends_at(self) -> dt.datetime:
        return self.starts_at + dt.timedelta(minutes=self.minutes)


class CalendarFeed(models.Model):
    """A person's private calendar feed. The URL is the credential, so only a hash of its secret part is kept.

    The token in the URL is ``selector + verifier``: the selector finds the row, and the
    verifier's hash is compared in constant time.
    """

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed")
    selector = models.CharField(max_length=16, unique=True)
    verifier_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=now)
    last_read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "connections_calendarfeed"

    def __str__(self) -> str:
        return f"calendar feed {self.pk}"
