"""Call records: who called whom in which thread, when, and for how long. Never what was said.

A call is open while ``ended_at`` is empty: ringing until ``answered_at`` is set, then
connected. It ends with an outcome: answered (and later hung up), declined, missed (nobody
answered within ``RING_SECONDS``, or the caller gave up first) or failed (the audio could
not connect, or the call's end was never recorded).
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from alongside.lib.time import now

RING_SECONDS: float = 45
"""An unanswered call stops ringing and is recorded as missed after this long."""
MAX_CALL_HOURS = 4
MAX_CALLS_PER_WINDOW = 10
CALL_WINDOW_MINUTES = 10
"""Nobody rings anyone more than 10 times in 10 minutes: enough for bad lines, not enough to harass."""
"""An answered call still open after this long lost its end (a process died); the sweeper closes it as failed."""


class CallOutcome(models.TextChoices):
    ANSWERED = "answered", "Answered"
    DECLINED = "declined", "Declined"
    MISSED = "missed", "Missed"
    FAILED = "failed", "Could not connect"


class Call(models.Model):
    """One in-browser voice call between the two people of a connection's thread."""

    thread = models.ForeignKey("conversations.Thread", on_delete=models.CASCADE, related_name="calls")
    caller = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    callee = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    started_at = models.DateTimeField(default=now, db_index=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=10, choices=CallOutcome.choices, blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=~Q(caller=F("callee")), name="call_not_to_self"),
            # Open calls have no outcome; ended calls have one.
            models.CheckConstraint(
                condition=Q(ended_at__isnull=True, outcome="") | (Q(ended_at__isnull=False) & ~Q(outcome="")),
                name="call_ended_has_outcome",
            ),
            models.CheckConstraint(
                condition=~Q(outcome="answered") | Q(answered_at__isnull=False), name="call_answered_has_time"
            ),
            # One call at a time in a thread: two people pressing "call" at once get one call and one "busy".
            models.UniqueConstraint(
                fields=["thread"], condition=Q(ended_at__isnull=True), name="call_one_open_per_thread"
            ),
        ]
        indexes = [
            models.Index(fields=["caller", "ended_at"]),
            models.Index(fields=["callee", "ended_at"]),
            models.Index(fields=["ended_at", "started_at"]),
        ]

    def __str__(self) -> str:
        return f"call {self.pk}"

    @property
    def is_open(self) -> bool:
        return self.ended_at is None

    @property
    def duration(self) -> dt.timedelta | None:
        """How long the two talked; None for a call that was never answered or has not ended."""
        if self.answered_at is None or self.ended_at is None:
            return None
        return self.ended_at - self.answered_at
