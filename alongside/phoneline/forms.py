"""Forms for one's own number, a call-back request and a call-back's outcome. Each checks field by field."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from alongside.directory.models import Topic
from alongside.lib.time import now
from alongside.phoneline.models import CallbackOutcome
from alongside.phoneline.numbers import to_e164
from alongside.service.selectors import current_settings, snapshot

MIN_WINDOW = dt.timedelta(minutes=30)
MAX_DAYS_AHEAD = 14


class NumberForm(forms.Form):
    number = forms.CharField(
        label="Your phone number",
        max_length=30,
        help_text="A mobile or a landline, for example 0412 345 678.",
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
    )

    def clean_number(self) -> str:
        return to_e164(self.cleaned_data["number"])


class CallbackForm(forms.Form):
    name = forms.CharField(
        label="First name or pseudonym",
        max_length=40,
        help_text="What the supporter should call you. It need not be your real name.",
        widget=forms.TextInput(attrs={"autocomplete": "given-name"}),
    )
    phone = forms.CharField(
        label="Phone number",
        max_length=30,
        help_text="The number we should call, for example 0412 345 678. Deleted once the call-back is over.",
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
    )
    day = forms.DateField(label="Day", widget=forms.DateInput(attrs={"type": "date"}))
    starts = forms.TimeField(label="From", widget=forms.TimeInput(attrs={"type": "time", "step": 900}, format="%H:%M"))
    ends = forms.TimeField(label="Until", widget=forms.TimeInput(attrs={"type": "time", "step": 900}, format="%H:%M"))
    topics = forms.ModelMultipleChoiceField(
        label="What you would like to talk about (optional)",
        queryset=Topic.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Only the supporters on shift then see these, to prepare.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["topics"].queryset = Topic.objects.all()  # type: ignore[attr-defined]
        self.zone = zoneinfo.ZoneInfo(current_settings().time_zone)

    def clean_phone(self) -> str:
        return to_e164(self.cleaned_data["phone"])

    def clean_day(self) -> dt.date:
        day: dt.date = self.cleaned_data["day"]
        today = now().astimezone(self.zone).date()
        if day < today:
            raise ValidationError("Choose today or a day after.")
        if day > today + dt.timedelta(days=MAX_DAYS_AHEAD):
            raise ValidationError(f"Choose a day in the next {MAX_DAYS_AHEAD} days.")
        return day

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        day, starts, ends = data.get("day"), data.get("starts"), data.get("ends")
        if day is None or starts is None or ends is None:
            return data
        start = dt.datetime.combine(day, starts, tzinfo=self.zone)
        end = dt.datetime.combine(day, ends, tzinfo=self.zone)
        if end <= start:
            self.add_error("ends", "The window must end after it starts, on the same day.")
            return data
        if end - start < MIN_WINDOW:
            self.add_error("ends", "Give a window of at least 30 minutes, so a supporter can fit the call in.")
            return data
        if end <= now() + dt.timedelta(minutes=15):
            self.add_error("ends", "This window has passed or is about to. Choose a later time.")
            return data
        snap = snapshot()
        moment = start
        while moment < end:
            if not snap.is_open_at(moment):
                self.add_error("starts", "Choose a window inside the opening hours shown on this page.")
                return data
            moment += dt.timedelta(minutes=15)
        if not snap.is_open_at(end - dt.timedelta(minutes=1)):
            self.add_error("ends", "Choose a window inside the opening hours shown on this page.")
            return data
        data["window"] = (max(start, now()), end)
        return data


class OutcomeForm(forms.Form):
    outcome = forms.ChoiceField(
        label="How did it go?",
        choices=[(v, label) for v, label in CallbackOutcome.choices if v != CallbackOutcome.NOT_RECORDED],
        widget=forms.RadioSelect,
        help_text="Only the outcome: nothing about what was said.",
    )
