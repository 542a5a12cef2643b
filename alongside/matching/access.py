"""Object access for the coordinators' matching screens (the role check is ``coordinator_required``)."""

from __future__ import annotations

from django.http import HttpRequest

from alongside.connections.models import SupportRequest
from alongside.lib.access import deny_404


def get_request_for_coordinator(request: HttpRequest, pk: int) -> SupportRequest:
    """Any support request, for a coordinator; a missing one is a 404 like everywhere else."""
    found = SupportRequest.objects.select_related("member__profile").prefetch_related("topics").filter(pk=pk).first()
    if found is None or not getattr(request.user, "is_coordinator", False):
        raise deny_404(request, action="matching.request.view", target_type="connections.supportrequest", target_id=pk)
    return found
