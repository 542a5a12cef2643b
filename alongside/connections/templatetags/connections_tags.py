"""Template tags of ongoing connections: a supporter's load, dates."""

from __future__ import annotations

import datetime as dt

from django import template

from alongside.connections.selectors import Load, load_of
from alongside.lib.time import when
from alongside.supporters.models import SupporterProfile

register = template.Library()


@register.simple_tag
def supporter_load(profile: SupporterProfile) -> Load:
    """A supporter's load, for the supporter's own profile page (the supporters app sits below connections)."""
    return load_of(profile)


@register.filter
def day_and_time(value: dt.datetime | None, day_format: str = "") -> str:
    """The one time format of the site (alongside/lib/time.py), in the active zone; ``day_format`` is ignored."""
    return when(value)
