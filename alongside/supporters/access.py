"""The access helper for supporter profiles in the coordinators' console (the role check is ``coordinator_required``)."""

from __future__ import annotations

from typing import Literal

from django.http import HttpRequest

from alongside.audit.access import deny_404
from alongside.supporters.models import SupporterProfile


def get_supporter_profile(
    request: HttpRequest, pk: int, *, role: Literal["coordinator"] = "coordinator"
) -> SupporterProfile:
    """A supporter's profile, for a coordinator; a missing one is a 404 like everywhere else."""
    profile = SupporterProfile.objects.select_related("user", "user__profile").filter(pk=pk).first()
    if profile is None or not getattr(request.user, "is_coordinator", False):
        raise deny_404(
            request, action="supporters.profile.view", target_type="supporters.supporterprofile", target_id=pk
        )
    return profile
