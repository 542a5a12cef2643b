"""``{% open_concern_count %}``: the console navigation's count of open concerns."""

from __future__ import annotations

from django import template

from alongside.safety.selectors import open_count

register = template.Library()


@register.simple_tag
def open_concern_count() -> int:
    return open_count()
