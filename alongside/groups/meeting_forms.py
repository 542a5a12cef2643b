"""The form for scheduling a group meeting, typed in the facilitator's own time zone."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from alongside.groups.meetings import MINUTES_MAX, MINUTES_MIN
from alongside.lib.time import place
from alongside.meetings.services import starts_at_from_local


class MeetingForm(forms.Form):
    date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    time = forms.TimeField(widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))
    minutes = forms.IntegerField(
        label="Length in minutes",
        min_value=MINUTES_MIN,
        max_value=MINUTES_MAX,
        initial=60,
        help_text=f"Between {MINUTES_MIN} and {MINUTES_MAX} minutes.",
        error_messages={
            "min_value": f"A meeting lasts at least {MINUTES_MIN} minutes.",
            "max_value": f"A meeting lasts at most {MINUTES_MAX} minutes (four hours).",
        },
    )

    def __init__(self, *args: Any, time_zone: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.time_zone = time_zone
        self.fields["time"].help_text = f"In your time zone ({place(time_zone)}). Each member sees it in theirs."

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
