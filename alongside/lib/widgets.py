"""Widgets with a cost worth saving."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from django import forms
from django.forms.renderers import BaseRenderer, get_default_renderer
from django.utils.safestring import SafeString

from alongside.lib.time import timezone_choices


class TimeZoneSelect(forms.Select):
    """The list of ~500 time zones, rendered once per (name, value, attributes) and then reused.

    The choices never change while the process runs (they are read from the system's zone data
    once), so the HTML depends only on what is passed to ``render``; building and writing the
    ~500 options took most of the time of the pages that show the list.
    """

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, choices=timezone_choices())

    def render(
        self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: BaseRenderer | None = None
    ) -> SafeString:
        if list(self.choices) != timezone_choices():  # given other choices: render them as usual
            return super().render(name, value, attrs, renderer)
        merged = self.build_attrs(self.attrs, attrs)
        try:
            key = (name, "" if value is None else str(value), tuple(merged.items()), self.is_required)
            hash(key)
        except TypeError:  # an attribute value that can't be a key: render as usual
            return super().render(name, value, attrs, renderer)
        return _rendered(key, renderer or get_default_renderer())


@lru_cache(maxsize=512)
def _rendered(key: tuple[str, str, tuple[tuple[str, Any], ...], bool], renderer: BaseRenderer) -> SafeString:
    name, value, attrs, required = key
    widget = forms.Select(choices=timezone_choices())
    widget.is_required = required
    return widget.render(name, value, dict(attrs), renderer)
