"""The ongoing-connections section of a signed-in person's home page."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import template

from alongside.connections.models import Offer, OfferStatus, Side
from alongside.connections.selectors import active_connections_for, feedback_due_for, live_request_for
from alongside.lib.time import when

register = template.Library()


@register.inclusion_tag("connections/_home_section.html", takes_context=True)
def home_connections(context: dict[str, Any]) -> dict[str, Any]:
    user = context["user"]
    rows = []
    for connection in active_connections_for(user):
        is_member = connection.member_id == user.pk
        partner = connection.supporter.user if is_member else connection.member
        rows.append(
            {
                "connection": connection,
                "partner": partner.display_name,
                "role": Side.MEMBER if is_member else Side.SUPPORTER,
                "review_due": connection.review_is_due(),
            }
        )
    pending_offers = 0
    if user.is_supporter:
        pending_offers = Offer.objects.filter(supporter__user=user, status=OfferStatus.PENDING).count()
    return {
        "user": user,
        "service": context.get("service"),
        "live_request": live_request_for(user),
        "connections": rows,
        "pending_offers": pending_offers,
        "feedback_due": list(feedback_due_for(user)[:3]),
    }


@register.filter
def day_and_time(value: dt.datetime | None, day_format: str = "") -> str:
    """The one time format of the site (alongside/lib/time.py), in the active zone; ``day_format`` is ignored."""
    return when(value)
