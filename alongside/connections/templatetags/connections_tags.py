"""Template filters for connections pages."""

from __future__ import annotations

import datetime as dt

from django import template

from alongside.lib.time import when

register = template.Library()


@register.filter
def day_and_time(value: dt.datetime | None, day_format: str = "") -> str:
    """The one time format of the site (alongside/lib/time.py), in the active zone; ``day_format`` is ignored."""
    return when(value)
