"""The coordinators' matching settings: the soft-score weights of the engine (see docs/matching.md)."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models import Q

WEIGHT_FIELDS = (
    "topic_experience",
    "career_stage_fit",
    "specialty_wish",
    "time_overlap",
    "load_spread",
    "waiting_time",
)


class MatchingSettings(models.Model):
    """One row: the soft-score weights coordinators tune (see docs/matching.md)."""

    topic_experience = models.FloatField(default=3.0)
    career_stage_fit = models.FloatField(default=2.0)
    specialty_wish = models.FloatField(default=1.5)
    time_overlap = models.FloatField(default=2.0)
    load_spread = models.FloatField(default=1.0)
    waiting_time = models.FloatField(default=2.0)
    updated_at = models.DateTimeField(auto_now=True)

    WEIGHT_FIELDS = WEIGHT_FIELDS

    class Meta:
        # The table was made when the settings lived in connections; it keeps its name and its data.
        db_table = "connections_matchingsettings"
        verbose_name = "matching settings"
        verbose_name_plural = "matching settings"
        constraints = [
            models.CheckConstraint(condition=Q(id=1), name="matching_settings_single_row"),
            *[
                models.CheckConstraint(
                    condition=Q(**{f"{name}__gte": 0, f"{name}__lte": 1000}), name=f"matching_{name}_0_1000"
                )
                for name in WEIGHT_FIELDS
            ],
        ]

    def __str__(self) -> str:
        return "matching settings"

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.pk = 1
        super().save(*args, **kwargs)

    @classmethod
    def current(cls) -> MatchingSettings:
        row, _ = cls.objects.get_or_create(pk=1)
        return row

    def as_dict(self) -> dict[str, float]:
        return {name: float(getattr(self, name)) for name in self.WEIGHT_FIELDS}
