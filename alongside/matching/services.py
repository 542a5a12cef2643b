"""Writes of the matching settings: the coordinators tune the engine's soft score."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction
from django.http import HttpRequest

from alongside.audit.services import record
from alongside.matching import engine
from alongside.matching.models import MatchingSettings

if TYPE_CHECKING:
    from alongside.accounts.models import User


@transaction.atomic
def update_weights(*, actor: User, weights: dict[str, float], request: HttpRequest | None = None) -> MatchingSettings:
    """Coordinators tune the soft score. Numbers only go into the audit trail."""
    row = MatchingSettings.objects.select_for_update().get_or_create(pk=1)[0]
    before = row.as_dict()
    engine.Weights.from_dict(weights)  # refuses unknown names and out-of-range values, as the engine would
    for name, value in weights.items():
        setattr(row, name, float(value))
    row.save()
    record(
        "matching.weights.updated",
        actor=actor,
        target=row,
        request=request,
        details={"before": before, "after": row.as_dict()},
    )
    return row
