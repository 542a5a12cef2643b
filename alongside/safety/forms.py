"""The safety forms: raising a concern (how worried, a short note, what has been done already), and the
coordinators' forms on a concern (a line for the timeline, closing with an outcome, break-glass)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms

from alongside.safety.breakglass import REASON_MAX_LENGTH
from alongside.safety.models import Action, ClosingOutcome, Level
from alongside.safety.services import IMMINENT_OUTCOMES, NOTE_MAX_LENGTH

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


class GroupConcernForm(ConcernForm):
    """Raising from a group: the same questions, and whom it is about (one of the group's members, or the group)."""

    about = forms.TypedChoiceField(
        coerce=int,
        empty_value=None,
        required=False,
        label="Who is it about?",
        help_text="The group is not told.",
        error_messages={"invalid_choice": "Choose someone from the list, or the group in general."},
    )

    field_order = ["about", "level", "note", "actions"]

    def __init__(self, *args: Any, members: Sequence[tuple[int, str]] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["about"].choices = [("", "The group in general"), *members]  # type: ignore[attr-defined]
        self.order_fields(self.field_order)


class TimelineForm(forms.Form):
    action = forms.ChoiceField(
        label="Action taken",
        required=False,
        choices=[("", "No action: a note only"), *[(a.value, a.label) for a in Action if a != Action.NONE]],
    )
    note = forms.CharField(
        label="Note",
        required=False,
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Kept encrypted, for coordinators only. What was done or decided; only what others need to know.",
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("action") and not (data.get("note") or "").strip():
            raise forms.ValidationError("Choose an action or write a note.")
        return data


class CloseForm(forms.Form):
    outcome = forms.ChoiceField(
        label="Outcome", widget=forms.RadioSelect, error_messages={"required": "Choose the outcome."}
    )
    reason = forms.CharField(
        label="Why, or what was tried",
        required=False,
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Needed when emergency services were not needed, or when contact could not be made. It becomes a "
        "note on the timeline (encrypted).",
    )

    def __init__(self, *args: Any, level: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        outcomes = [o for o in ClosingOutcome if level != Level.IMMINENT or o in IMMINENT_OUTCOMES]
        self.fields["outcome"].choices = [(o.value, o.label) for o in outcomes]  # type: ignore[attr-defined]


class RevealForm(forms.Form):
    reason = forms.CharField(
        label="Why do you need to know who they are?",
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="The member sees this reason in their access log. It is kept encrypted in the audit trail.",
        error_messages={"required": "Write why you need to see who they are."},
    )
    password = forms.CharField(
        label="Your password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        error_messages={"required": "Enter your password."},
    )
    code = forms.CharField(
        label="Six-digit code from your authenticator app",
        max_length=12,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
        help_text="A recovery code is not enough here.",
        error_messages={"required": "Enter the code from your authenticator app."},
    )
