"""The access helper for workplaces in the coordinators' console (the role check is ``coordinator_required``)."""

from __future__ import annotations

from typing import Literal

from django.http import HttpRequest

from alongside.audit.access import deny_404
from alongside.directory.models import Workplace


def get_workplace(request: HttpRequest, pk: int, *, role: Literal["coordinator"] = "coordinator") -> Workplace:
    """A workplace, to edit or (de)activate: for coordinators; a missing one is a 404 like everywhere else."""
    found = Workplace.objects.filter(pk=pk).first()
    if found is None or not getattr(request.user, "is_coordinator", False):
        raise deny_404(request, action="directory.workplace.view", target_type="directory.workplace", target_id=pk)
    return found
