"""The service this deployment runs: its name, region, hours and the formats it offers."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models

from alongside.directory.models import Region

TALK_NOW_WAIT_MINUTES = 3
TALK_NOW_WAIT_RANGE = (1, 30)
MESSAGE_RETENTION_DAYS = 30
MESSAGE_RETENTION_RANGE = (1, 3650)


class ServiceSettings(models.Model):
    """One row: the service's own settings, edited by coordinators."""

    name = models.CharField(max_length=120, default="Alongside peer support")
    region = models.CharField(max_length=3, choices=Region.choices, default=Region.VIC)
    time_zone = models.CharField(max_length=64, default="Australia/Melbourne")
    about = models.TextField(
        max_length=2000,
        blank=True,
        help_text="A few plain sentences about who runs the service, shown on the home page.",
    )
    offers_talk_now = models.BooleanField("Talk now (one-off conversations)", default=True)
    offers_ongoing = models.BooleanField("Ongoing one-to-one peer connections", default=True)
    offers_groups = models.BooleanField("Groups, drop-ins and debriefs", default=True)
    signups_open = models.BooleanField(default=True)
    talk_now_wait_minutes = models.PositiveSmallIntegerField(
        "Minutes before a talk-now request goes further",
        default=TALK_NOW_WAIT_MINUTES,
        help_text="Nobody accepts a talk-now request in this time: the backups are offered it; after as long "
        "again, the coordinators are alerted.",
    )
    message_retention_days = models.PositiveSmallIntegerField(
        "Days messages are kept after a conversation ends",
        default=MESSAGE_RETENTION_DAYS,
        help_text="Then the words of every message in it are erased (safety.retention); the conversation's dates stay.",
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "service settings"
        verbose_name_plural = "service settings"
        constraints = [
            models.CheckConstraint(condition=models.Q(id=1), name="service_settings_single_row"),
            models.CheckConstraint(
                condition=models.Q(talk_now_wait_minutes__gte=TALK_NOW_WAIT_RANGE[0])
                & models.Q(talk_now_wait_minutes__lte=TALK_NOW_WAIT_RANGE[1]),
                name="service_settings_talk_now_wait_range",
            ),
            models.CheckConstraint(
                condition=models.Q(message_retention_days__gte=MESSAGE_RETENTION_RANGE[0])
                & models.Q(message_retention_days__lte=MESSAGE_RETENTION_RANGE[1]),
                name="service_settings_message_retention_range",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.pk = 1
        super().save(*args, **kwargs)


class Weekday(models.IntegerChoices):
    MONDAY = 0, "Monday"
    TUESDAY = 1, "Tuesday"
    WEDNESDAY = 2, "Wednesday"
    THURSDAY = 3, "Thursday"
    FRIDAY = 4, "Friday"
    SATURDAY = 5, "Saturday"
    SUNDAY = 6, "Sunday"


class OpeningHours(models.Model):
    """When the service's own supporters are rostered, per weekday, in the service's time zone."""

    weekday = models.PositiveSmallIntegerField(choices=Weekday.choices, unique=True)
    is_open = models.BooleanField(default=True)
    opens = models.TimeField(null=True, blank=True)
    closes = models.TimeField(null=True, blank=True)

    class Meta:
        ordering = ["weekday"]
        verbose_name_plural = "opening hours"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(is_open=False) | models.Q(opens__isnull=False, closes__isnull=False),
                name="opening_hours_open_needs_times",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()}: {self.describe()}"

    def clean(self) -> None:
        if self.is_open:
            if self.opens is None or self.closes is None:
                raise ValidationError("Give both an opening and a closing time, or mark the day closed.")
            if self.opens == self.closes:
                raise ValidationError("Opening and closing times must differ.")

    def describe(self) -> str:
        if not self.is_open or self.opens is None or self.closes is None:
            return "closed"
        if self.opens == dt.time(0, 0) and self.closes == dt.time(23, 59):
            return "all day"
        return f"{_fmt(self.opens)} – {_fmt(self.closes)}"

    def covers(self, moment: dt.time) -> bool:
        if not self.is_open or self.opens is None or self.closes is None:
            return False
        if self.opens < self.closes:
            return self.opens <= moment < self.closes
        return moment >= self.opens or moment < self.closes  # open past midnight


def _fmt(t: dt.time) -> str:
    hour = t.hour % 12 or 12
    suffix = "am" if t.hour < 12 else "pm"
    return f"{hour}:{t.minute:02d} {suffix}" if t.minute else f"{hour} {suffix}"
