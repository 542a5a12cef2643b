"""Template filters for connections pages."""

from __future__ import annotations

import datetime as dt

from django import template
from django.utils.dateformat import format as date_format
from django.utils.timezone import localtime

from alongside.connections.sessions import clock

register = template.Library()


@register.filter
def day_and_time(value: dt.datetime | None, day_format: str = "l j F") -> str:
    """'Saturday 28 November, 4:48 pm' in the active time zone (Australian style: lower-case pm, one full stop)."""
    if value is None:
        return ""
    local = localtime(value)
    return f"{date_format(local, day_format)}, {clock(local)}"
