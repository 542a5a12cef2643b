"""Template tags of ongoing connections: a supporter's load. Times use the builtin ``when`` filter."""

from __future__ import annotations

from django import template

from alongside.connections.selectors import Load, load_of
from alongside.supporters.models import SupporterProfile

register = template.Library()


@register.simple_tag
def supporter_load(profile: SupporterProfile) -> Load:
    """A supporter's load, for the supporter's own profile page (the supporters app sits below connections)."""
    return load_of(profile)
