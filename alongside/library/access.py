"""The access helper for library resources in the coordinators' console (the role check is ``coordinator_required``)."""

from __future__ import annotations

from typing import Literal

from django.http import HttpRequest

from alongside.audit.access import deny_404
from alongside.library.models import Resource


def get_resource(request: HttpRequest, pk: int, *, role: Literal["coordinator"] = "coordinator") -> Resource:
    """A resource, to edit or delete: for coordinators; a missing one is a 404 like everywhere else."""
    found = Resource.objects.filter(pk=pk).first()
    if found is None or not getattr(request.user, "is_coordinator", False):
        raise deny_404(request, action="library.resource.view", target_type="library.resource", target_id=pk)
    return found
