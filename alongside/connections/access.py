"""One access helper per object type; the first line of every view.

Outsiders get a 404 (and an audited denial): they learn nothing about what exists.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from alongside.connections.models import Connection, Offer, SupportRequest
from alongside.lib.access import deny_404


def supporter_side_closed(connection: Connection, user: Any) -> bool:
    """The connection's supporter no longer holds the supporter role: their side of it is closed to them.

    Removing the role ends what it gave, as it already ends their offers (``get_offer_for_supporter``): the
    member's connection, its sessions, its thread and its calls. Someone else in the same thread is not affected.
    """
    return (
        user.pk == connection.supporter.user_id
        and user.pk != connection.member_id
        and not getattr(user, "is_supporter", False)
    )


def get_request_for_member(request: HttpRequest, pk: int) -> SupportRequest:
    """A support request, for the member who made it only."""
    found = SupportRequest.objects.filter(pk=pk, member_id=request.user.pk).first()
    if found is None:
        raise deny_404(
            request, action="connections.request.view", target_type="connections.supportrequest", target_id=pk
        )
    return found


def get_offer_for_supporter(request: HttpRequest, pk: int) -> Offer:
    """An offer, for the supporter it was sent to only."""
    found = (
        Offer.objects.select_related("request", "supporter")
        .filter(pk=pk, supporter__user_id=request.user.pk or 0, supporter__user__is_supporter=True)
        .first()
    )
    if found is None:
        raise deny_404(request, action="connections.offer.view", target_type="connections.offer", target_id=pk)
    return found


def get_connection_for_participant(request: HttpRequest, pk: int) -> Connection:
    """A connection, for its member or its supporter (while they are a supporter) only."""
    found = (
        Connection.objects.select_related("supporter", "supporter__user__profile", "member__profile", "request")
        .filter(pk=pk)
        .first()
    )
    if (
        found is None
        or request.user.pk not in (found.member_id, found.supporter.user_id)
        or supporter_side_closed(found, request.user)
    ):
        raise deny_404(
            request, action="connections.connection.view", target_type="connections.connection", target_id=pk
        )
    return found


def get_connection_for_member(request: HttpRequest, pk: int) -> Connection:
    """A connection, for its member only (asking for a change, giving feedback)."""
    found = get_connection_for_participant(request, pk)
    if found.member_id != request.user.pk:
        raise deny_404(
            request, action="connections.connection.member_only", target_type="connections.connection", target_id=pk
        )
    return found
