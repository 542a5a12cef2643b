"""The workplace picker: a multiple select that ``static/js/picker.js`` turns into type-to-filter with chips.

Without JavaScript it stays the plain multiple select, so every form still works.
"""

from __future__ import annotations

from typing import Any

from django import forms


class PickerSelectMultiple(forms.SelectMultiple):
    """Type to filter, chosen ones as removable chips, all by keyboard; a plain select without JS."""

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__({"size": 8, "data-picker": "", **(attrs or {})})

    @property
    def media(self) -> forms.Media:
        return forms.Media(
            css={"all": ["css/picker.css"]},
            js=[forms.Script("js/picker.js", defer=True)],  # type: ignore[list-item]
        )
