"""``{{ moment|clock }}``: '10:00 pm' in the viewer's zone, for 'on shift until 10:00 pm'."""

from __future__ import annotations

import datetime as dt

from django import template
from django.utils import timezone

from alongside.lib.time import clock as clock_text

register = template.Library()


@register.filter
def clock(value: dt.datetime | None) -> str:
    if value is None:
        return ""
    return clock_text(value.astimezone(timezone.get_current_timezone()))
