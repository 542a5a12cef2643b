"""Access to supporter profiles from the coordinator console."""

from __future__ import annotations

from django.http import HttpRequest

from alongside.lib.access import deny_404
from alongside.supporters.models import SupporterProfile


def get_supporter_for_coordinator(request: HttpRequest, pk: int) -> SupporterProfile:
    """A supporter's profile, for a coordinator (the view's role check comes first)."""
    profile = SupporterProfile.objects.select_related("user", "user__profile").filter(pk=pk).first()
    if profile is None or not request.user.is_coordinator:  # type: ignore[union-attr]
        raise deny_404(
            request, action="supporters.profile.view", target_type="supporters.supporterprofile", target_id=pk
        )
    return profile
