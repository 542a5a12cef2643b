"""The form for proposing a session time, entered in the proposer's own time zone."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from alongside.lib.time import place
from alongside.meetings.models import SESSION_MINUTES
from alongside.meetings.services import starts_at_from_local
from alongside.supporters.models import Format


class SessionForm(forms.Form):
    date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    time = forms.TimeField(widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))
    minutes = forms.TypedChoiceField(
        label="Length",
        coerce=int,
        choices=[(m, f"{m} minutes") for m in SESSION_MINUTES],
        initial=60,
    )
    medium = forms.ChoiceField(label="How you will meet", widget=forms.RadioSelect)

    def __init__(self, *args: Any, media: list[str], time_zone: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.time_zone = time_zone
        self.fields["time"].help_text = f"In your time zone ({place(time_zone)}). Your peer sees it in theirs."
        medium = self.fields["medium"]
        assert isinstance(medium, forms.ChoiceField)
        medium.choices = [(m, Format(m).label) for m in media]
        self.fields["medium"].help_text = "Only the ways you both accept."
        if len(media) == 1:
            self.fields["medium"].initial = media[0]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        date, time = data.get("date"), data.get("time")
        if isinstance(date, dt.date) and isinstance(time, dt.time):
            try:
                data["starts_at"] = starts_at_from_local(date=date, time=time, time_zone=self.time_zone)
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    for error in errors:
                        self.add_error(field, error)
        return data
