"""The "Raise a concern" form: how worried, a short note, and what has been done already."""

from __future__ import annotations

from typing import Any

from django import forms

from alongside.safety.models import Action, Level
from alongside.safety.services import NOTE_MAX_LENGTH

LEVEL_MEANINGS = {
    Level.WORRIED: "Worried: a coordinator should know and follow up soon.",
    Level.IMMINENT: "Imminent risk: someone may be harmed soon; the coordinator on call is needed now.",
}


class ConcernForm(forms.Form):
    level = forms.ChoiceField(
        choices=[(value, LEVEL_MEANINGS[Level(value)]) for value in Level.values],
        widget=forms.RadioSelect,
        label="How worried are you?",
        error_messages={
            "required": "Choose worried or imminent risk.",
            "invalid_choice": "Choose worried or imminent risk.",
        },
    )
    note = forms.CharField(
        required=False,
        max_length=NOTE_MAX_LENGTH,
        strip=True,
        widget=forms.Textarea(attrs={"rows": 3}),
        label="What did you see or hear? (optional)",
        help_text="A few words for the coordinator. Kept encrypted; never sent in an alert.",
        error_messages={"max_length": f"Keep the note under {NOTE_MAX_LENGTH} characters."},
    )
    actions = forms.MultipleChoiceField(
        choices=Action.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="What has been done already?",
        error_messages={"invalid_choice": "Choose what has been done from the list."},
    )

    def clean_actions(self) -> list[str]:
        chosen: list[str] = self.cleaned_data.get("actions") or []
        if Action.NONE in chosen and len(chosen) > 1:
            raise forms.ValidationError("Untick “Nothing yet” or the things that have been done.")
        return chosen

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["note"].widget.attrs["maxlength"] = str(NOTE_MAX_LENGTH)
