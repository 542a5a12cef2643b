"""One access helper per object type, the first line of every view. Concerns are for coordinators only (the views'
role check comes first); break-glass only for the coordinator handling an open imminent-risk concern about a member.
Every denial is audited."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from alongside.audit.access import deny_404
from alongside.audit.services import denied
from alongside.safety.breakglass import REVEAL_ACTION
from alongside.safety.models import Concern, Level

VIEW_ACTION = "safety.concern.view"


def get_concern(request: HttpRequest, pk: int) -> Concern:
    """A concern, for a coordinator (checked by the view's role decorator first); 404 when there is none."""
    found = Concern.objects.select_related("handler__profile", "raised_by__profile", "member").filter(pk=pk).first()
    if found is None:
        raise deny_404(request, action=VIEW_ACTION, target_type="safety.concern", target_id=pk)
    return found


def may_reveal(concern: Concern, user_id: int | None) -> bool:
    return (
        concern.closed_at is None
        and concern.level == Level.IMMINENT
        and concern.member_id is not None
        and concern.handler_id == user_id
    )


def get_concern_to_reveal(request: HttpRequest, pk: int) -> Concern:
    """The concern, for break-glass: only its handler, only while it is open, imminent and about a member (403)."""
    concern = get_concern(request, pk)
    if not may_reveal(concern, request.user.pk):
        denied(REVEAL_ACTION, request=request, target_type="safety.concern", target_id=pk)
        raise PermissionDenied("Only the coordinator handling an open imminent-risk concern can see who it is about.")
    return concern
