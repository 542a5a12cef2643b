"""The debrief forms: starting one (one page, from a phone), joining it, and its de-identified record."""

from __future__ import annotations

import secrets
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from alongside.groups import debriefs
from alongside.groups.models import DebriefMode, Theme

NO_NAMES = "No names and no patient details: just the team or area."


class StartForm(forms.Form):
    mode = forms.ChoiceField(
        choices=[
            (DebriefMode.HOT, "Hot: now, about five minutes"),
            (DebriefMode.COLD, "Cold: a session in 1 to 3 days"),
        ],
        widget=forms.RadioSelect,
        initial=DebriefMode.HOT,
        label="When?",
        error_messages={"required": "Choose hot or cold.", "invalid_choice": "Choose hot or cold."},
    )
    team = forms.CharField(
        label="Which team or area?",
        max_length=debriefs.TEAM_MAX_LENGTH,
        help_text=f'For example "ED resus team". {NO_NAMES}',
        error_messages={"required": "Say which team or area, in a few words (for example: ED resus team)."},
        widget=forms.TextInput(attrs={"autocomplete": "off", "placeholder": "ED resus team"}),
    )
    cold_at = forms.DateTimeField(
        required=False,
        label="For a cold debrief: when does it meet?",
        help_text="Between 24 and 72 hours from now, in your own time zone.",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        error_messages={"invalid": "Enter a date and time, for example 2027-03-14 16:00."},
    )
    outreach_after_hours = forms.TypedChoiceField(
        choices=[(h, f"{h} hours") for h in debriefs.OUTREACH_HOURS],
        coerce=int,
        initial=24,
        label="Offer everyone a private follow-up after",
        help_text="Each person who joins is privately offered one-to-one peer support then. They can ignore it.",
    )
    start_key = forms.CharField(widget=forms.HiddenInput, max_length=64)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial["start_key"] = secrets.token_urlsafe(24)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("mode") == DebriefMode.COLD and not data.get("cold_at") and "cold_at" not in self.errors:
            self.add_error("cold_at", "Choose when the cold debrief meets.")
        return data


AGREEMENT_LABEL = "I understand: joining is voluntary, what is said stays here, and nobody is blamed."


class JoinForm(forms.Form):
    agreement = forms.BooleanField(
        label=AGREEMENT_LABEL,
        error_messages={"required": "Please read and accept the debrief agreement to join."},
    )


class GuestJoinForm(JoinForm):
    first_name = forms.CharField(
        label="Your first name",
        max_length=debriefs.FIRST_NAME_MAX_LENGTH,
        help_text="Only the people in this debrief see it. No surname needed.",
        widget=forms.TextInput(attrs={"autocomplete": "given-name"}),
        error_messages={"required": "Give a first name, so the others know who is writing."},
    )
    email = forms.EmailField(
        required=False,
        label="Email for a follow-up (optional)",
        help_text="Only for one private message offering support later. It is erased once sent.",
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    field_order = ["first_name", "email", "agreement"]

    def clean_first_name(self) -> str:
        try:
            return debriefs.clean_first_name(self.cleaned_data["first_name"])
        except ValidationError as exc:
            raise ValidationError(exc.message_dict["first_name"]) from None


def _text(label: str) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=False,
        max_length=debriefs.RECORD_FIELD_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class RecordForm(forms.Form):
    themes = forms.MultipleChoiceField(
        choices=Theme.choices, required=False, widget=forms.CheckboxSelectMultiple, label="Themes that came up"
    )
    summary = _text("Summarise what happened")
    went_well = _text("Things that went well")
    to_improve = _text("Opportunities to improve")
    to_action = _text("Points to action")
