"""Template tags of ongoing connections: the home page's section, a supporter's load, dates."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import template
from django.utils.dateformat import format as date_format
from django.utils.timezone import localtime

from alongside.connections.models import Offer, OfferStatus, Side
from alongside.connections.selectors import Load, active_connections_for, feedback_due_for, live_request_for, load_of
from alongside.lib.time import clock
from alongside.supporters.models import SupporterProfile

register = template.Library()


@register.inclusion_tag("connections/_home_section.html", takes_context=True)
def home_connections(context: dict[str, Any]) -> dict[str, Any]:
    user = context["user"]
    rows = []
    for connection in active_connections_for(user):
        is_member = connection.member_id == user.pk
        rows.append(
            {
                "connection": connection,
                "partner": connection.peer_of(user).display_name,
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


@register.simple_tag
def supporter_load(profile: SupporterProfile) -> Load:
    """A supporter's load, for the supporter's own profile page (the supporters app sits below connections)."""
    return load_of(profile)


@register.filter
def day_and_time(value: dt.datetime | None, day_format: str = "l j F") -> str:
    """'Saturday 28 November, 4:48 pm' in the active time zone (Australian style: lower-case pm, one full stop)."""
    if value is None:
        return ""
    local = localtime(value)
    return f"{date_format(local, day_format)}, {clock(local)}"
