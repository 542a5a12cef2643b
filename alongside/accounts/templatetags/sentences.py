"""``{{ name|end_sentence }}``: a display name at the end of a sentence, with one full stop, never two."""

from __future__ import annotations

from django import template

from alongside.lib.text import end_sentence as _end_sentence

register = template.Library()


@register.filter
def end_sentence(value: object) -> str:
    return _end_sentence(str(value))
