"""Forms for groups: the directory's filters, joining (the agreement), and the coordinators' group form."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.db.models import Q

from alongside.accounts.models import User
from alongside.groups.models import (
    CAPACITY_MAX,
    CAPACITY_MIN,
    DESCRIPTION_MAX_LENGTH,
    NAME_MAX_LENGTH,
    GroupKind,
    JoinPolicy,
    Purpose,
)
from alongside.lib.time import now, place
from alongside.meetings.services import starts_at_from_local

KIND_FILTERS = [("", "All kinds"), *[(k.value, k.label) for k in (GroupKind.CIRCLE, GroupKind.DROP_IN)]]


class DirectoryFilterForm(forms.Form):
    kind = forms.ChoiceField(required=False, label="Kind")
    purpose = forms.ChoiceField(required=False, label="What it is for", choices=[("", "Anything"), *Purpose.choices])

    def __init__(self, *args: Any, supervision: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        kinds = list(KIND_FILTERS)
        if supervision:
            kinds.append((GroupKind.SUPERVISION.value, GroupKind.SUPERVISION.label))
        self.fields["kind"].choices = kinds  # type: ignore[attr-defined]


class JoinForm(forms.Form):
    accept = forms.BooleanField(
        label="I accept the group agreement",
        error_messages={"required": "Please read and accept the group agreement to join."},
    )


def facilitator_choices() -> Any:
    return User.objects.filter(
        Q(is_supporter=True) | Q(is_coordinator=True), is_active=True, is_guest=False
    ).select_related("profile")


class FacilitatorChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.display_name)


class FacilitatorsChoice(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.display_name)


class GroupForm(forms.Form):
    """A circle, drop-in or supervision group. A drop-in has a date, a start and an end, in the coordinator's zone."""

    name = forms.CharField(max_length=NAME_MAX_LENGTH, label="Name")
    purpose = forms.ChoiceField(choices=[("", "Not for a particular group"), *Purpose.choices], required=False)
    description = forms.CharField(
        max_length=DESCRIPTION_MAX_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        label="What it is for",
        help_text="A few plain sentences members read in the directory.",
    )
    capacity = forms.IntegerField(
        min_value=CAPACITY_MIN, max_value=CAPACITY_MAX, initial=12, help_text="Members, not counting facilitators."
    )
    join_policy = forms.ChoiceField(choices=JoinPolicy.choices, widget=forms.RadioSelect, initial=JoinPolicy.APPROVAL)
    schedule = forms.CharField(
        max_length=120, required=False, help_text='In words, for example "Every second Tuesday, 7 pm".'
    )
    date = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}), label="Date")
    start = forms.TimeField(
        required=False, widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"), label="Starts at"
    )
    end = forms.TimeField(
        required=False, widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"), label="Ends at"
    )
    facilitators = FacilitatorsChoice(
        queryset=User.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text="Active supporters and coordinators.",
        error_messages={"required": "Choose at least one facilitator."},
    )

    def __init__(self, *args: Any, kind: str, time_zone: str, creating: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.kind = kind
        self.time_zone = time_zone
        if creating:
            self.fields["facilitators"].queryset = facilitator_choices()  # type: ignore[attr-defined]
        else:
            del self.fields["facilitators"]
        if kind == GroupKind.DROP_IN:
            del self.fields["join_policy"]
            for name in ("date", "start", "end"):
                self.fields[name].required = True
            self.fields["start"].help_text = f"In your time zone ({place(time_zone)})."
            self.fields["end"].help_text = "The drop-in ends then: its conversation closes."
        else:
            for name in ("date", "start", "end"):
                del self.fields[name]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        data.setdefault("join_policy", JoinPolicy.OPEN)
        data["starts_at"] = data["ends_at"] = None
        if self.kind == GroupKind.DROP_IN and all(data.get(n) for n in ("date", "start", "end")):
            date: dt.date = data["date"]
            try:
                data["starts_at"] = starts_at_from_local(date=date, time=data["start"], time_zone=self.time_zone)
                data["ends_at"] = starts_at_from_local(date=date, time=data["end"], time_zone=self.time_zone)
            except forms.ValidationError as exc:
                self.add_error(None, exc.messages)
                return data
            if data["ends_at"] <= data["starts_at"]:
                self.add_error("end", "The end must be after the start (a drop-in ends on the day it starts).")
            elif data["ends_at"] <= now():
                self.add_error("end", "That time has already passed. Choose a time still to come.")
        return data


class AddFacilitatorForm(forms.Form):
    person = FacilitatorChoice(
        queryset=User.objects.none(),
        label="Add a facilitator",
        empty_label="Choose a supporter or coordinator",
        error_messages={"required": "Choose someone to add.", "invalid_choice": "Choose someone from the list."},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = facilitator_choices()  # type: ignore[attr-defined]
