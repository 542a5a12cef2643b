"""The Talk now form: voice or chat, and topics if the member wants to say."""

from __future__ import annotations

from typing import Any

from django import forms

from alongside.directory.models import Topic
from alongside.talknow.models import Medium


class TalkNowForm(forms.Form):
    medium = forms.ChoiceField(
        choices=Medium.choices,
        widget=forms.RadioSelect,
        initial=Medium.CHAT,
        label="How would you like to talk?",
        help_text="Voice goes through your browser: nobody sees your phone number.",
        error_messages={"required": "Choose chat or voice.", "invalid_choice": "Choose chat or voice."},
    )
    topics = forms.ModelMultipleChoiceField(
        queryset=Topic.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="What is it about? (optional)",
        help_text="Only the supporter who joins you sees this, and only if you choose any.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["topics"].queryset = Topic.objects.all()  # type: ignore[attr-defined]
