"""One access helper per object type, one signature: ``get_<type>(request, pk, *, role=...)``; the first line of every view.

``role`` says who the page is for; anyone else is an outsider and gets a 404 (and an audited
denial): they learn nothing about what exists. Role checks (``coordinator_required``) come
first, as a decorator, so a helper only decides about the object.
"""

from __future__ import annotations

from typing import Literal

from django.http import HttpRequest

from alongside.audit.access import deny_404
from alongside.connections.models import Connection, Offer, SupportRequest


def get_support_request(
    request: HttpRequest, pk: int, *, role: Literal["member", "coordinator"] = "member"
) -> SupportRequest:
    """A support request: for the member who made it, or (``role="coordinator"``) for any coordinator."""
    if role == "coordinator":
        found = (
            SupportRequest.objects.select_related("member__profile").prefetch_related("topics").filter(pk=pk).first()
        )
        allowed = found is not None and getattr(request.user, "is_coordinator", False)
        action = "matching.request.view"
    else:
        found = SupportRequest.objects.filter(pk=pk, member_id=request.user.pk).first()
        allowed = found is not None
        action = "connections.request.view"
    if found is None or not allowed:
        raise deny_404(request, action=action, target_type="connections.supportrequest", target_id=pk)
    return found


def get_offer(request: HttpRequest, pk: int, *, role: Literal["supporter"] = "supporter") -> Offer:
    """An offer, for the supporter it was sent to only."""
    found = (
        Offer.objects.select_related("request", "supporter")
        .filter(pk=pk, supporter__user_id=request.user.pk or 0, supporter__user__is_supporter=True)
        .first()
    )
    if found is None:
        raise deny_404(request, action="connections.offer.view", target_type="connections.offer", target_id=pk)
    return found


def get_connection(
    request: HttpRequest, pk: int, *, role: Literal["participant", "member"] = "participant"
) -> Connection:
    """A connection, for either of its two people; ``role="member"`` for its member only (asking for a change, feedback)."""
    found = (
        Connection.objects.select_related("supporter", "supporter__user__profile", "member__profile", "request")
        .filter(pk=pk)
        .first()
    )
    if found is None or not found.open_to(request.user):
        raise deny_404(
            request, action="connections.connection.view", target_type="connections.connection", target_id=pk
        )
    if role == "member" and found.member_id != request.user.pk:
        raise deny_404(
            request, action="connections.connection.member_only", target_type="connections.connection", target_id=pk
        )
    return found
