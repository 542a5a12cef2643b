"""Forms for the roster: coordinators' patterns, one-off shifts and places; the supporter's 30-second record."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet

from alongside.accounts.models import User
from alongside.directory.models import CareerStage, Region, Topic
from alongside.roster.models import Role, Rota
from alongside.roster.selectors import service_zone
from alongside.roster.services import MAX_MINUTES, closed_between, closed_moments, local_span
from alongside.service.models import Weekday

OUTSIDE_HOURS = "Part of this shift falls outside the service's opening hours: check the hours in Settings."
BOTH_ROLES = "A supporter can hold a primary or a backup place on a shift, not both."


def _time_input() -> forms.TimeInput:
    return forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


def _date_input() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def supporters() -> QuerySet[User]:
    return (
        User.objects.filter(is_supporter=True, is_active=True)
        .select_related("profile")
        .order_by("profile__display_name", "pk")
    )


def coordinators() -> QuerySet[User]:
    return (
        User.objects.filter(is_coordinator=True, is_active=True)
        .select_related("profile")
        .order_by("profile__display_name", "pk")
    )


def holders(rota: str) -> QuerySet[User]:
    """Who may hold a place on ``rota``: supporters on the supporters' shifts, coordinators on call."""
    return coordinators() if rota == Rota.ON_CALL else supporters()


class SupporterChoices(forms.ModelMultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def label_from_instance(self, obj: Any) -> str:
        return str(obj.display_name)


class SupporterChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.display_name)


class _Places(forms.Form):
    primary_places = forms.IntegerField(label="Primary places", min_value=1, max_value=20, initial=1)
    backup_places = forms.IntegerField(label="Backup places", min_value=0, max_value=20, initial=1)
    primary = SupporterChoices(
        label="Primary supporters",
        queryset=User.objects.none(),
        required=False,
        help_text="Offered every contact first.",
    )
    backup = SupporterChoices(
        label="Backup supporters",
        queryset=User.objects.none(),
        required=False,
        help_text="Offered a contact when no primary supporter takes it in time.",
    )

    def __init__(self, *args: Any, rota: str = Rota.SUPPORT, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["primary"].queryset = holders(rota)  # type: ignore[attr-defined]
        self.fields["backup"].queryset = holders(rota)  # type: ignore[attr-defined]
        if rota == Rota.ON_CALL:
            self.fields["primary"].label = "Primary coordinators on call"
            self.fields["primary"].help_text = "Alerted first to every concern raised."
            self.fields["backup"].label = "Backup coordinators on call"
            self.fields["backup"].help_text = "Alerted when no primary coordinator acknowledges a concern in time."

    def _check_places(self, data: dict[str, Any]) -> None:
        primary, backup = list(data.get("primary") or []), list(data.get("backup") or [])
        if {u.pk for u in primary} & {u.pk for u in backup}:
            self.add_error("backup", BOTH_ROLES)
        if data.get("primary_places") is not None and len(primary) > data["primary_places"]:
            self.add_error("primary", f"Choose at most {data['primary_places']} (the primary places).")
        if data.get("backup_places") is not None and len(backup) > data["backup_places"]:
            self.add_error("backup", f"Choose at most {data['backup_places']} (the backup places).")


class PatternForm(_Places):
    """A weekly shift in the service's time zone; it must lie within the opening hours."""

    weekday = forms.TypedChoiceField(label="Weekday", choices=Weekday.choices, coerce=int)
    starts = forms.TimeField(label="Starts", widget=_time_input())
    ends = forms.TimeField(
        label="Ends", widget=_time_input(), help_text="Earlier than the start: the shift ends the next day."
    )
    valid_from = forms.DateField(label="First day", widget=_date_input())
    valid_until = forms.DateField(
        label="Last day", widget=_date_input(), required=False, help_text="Leave empty to repeat until changed."
    )

    field_order = ["weekday", "starts", "ends", "primary_places", "backup_places", "primary", "backup"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        starts, ends, weekday = data.get("starts"), data.get("ends"), data.get("weekday")
        if starts is not None and ends is not None and starts == ends:
            self.add_error("ends", "The shift must end at another time than it starts.")
        elif (
            starts is not None
            and ends is not None
            and weekday is not None
            and closed_moments(weekday=weekday, starts=starts, ends=ends)
        ):
            self.add_error("ends", OUTSIDE_HOURS)
        if data.get("valid_from") and data.get("valid_until") and data["valid_until"] < data["valid_from"]:
            self.add_error("valid_until", "The last day comes before the first.")
        self._check_places(data)
        return data


class OneOffShiftForm(_Places):
    """A dated shift outside any pattern (an extra evening, a holiday)."""

    day = forms.DateField(label="Day", widget=_date_input())
    starts = forms.TimeField(label="Starts", widget=_time_input())
    ends = forms.TimeField(
        label="Ends", widget=_time_input(), help_text="Earlier than the start: the shift ends the next day."
    )

    field_order = ["day", "starts", "ends", "primary_places", "backup_places", "primary", "backup"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        day, starts, ends = data.get("day"), data.get("starts"), data.get("ends")
        if day is not None and starts is not None and ends is not None:
            if starts == ends:
                self.add_error("ends", "The shift must end at another time than it starts.")
            else:
                start, end = local_span(day, starts, ends, service_zone())
                if closed_between(start, end):
                    self.add_error("ends", OUTSIDE_HOURS)
                data["starts_at"], data["ends_at"] = start, end
        self._check_places(data)
        return data


class EndPatternForm(forms.Form):
    last_day = forms.DateField(label="Last day of the pattern", widget=_date_input())


class PlaceForm(forms.Form):
    supporter = SupporterChoice(label="Supporter", queryset=User.objects.none())
    role = forms.ChoiceField(label="Place", choices=Role.choices)

    def __init__(self, *args: Any, exclude: list[int] | None = None, rota: str = Rota.SUPPORT, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["supporter"].queryset = holders(rota).exclude(pk__in=exclude or [])  # type: ignore[attr-defined]
        if rota == Rota.ON_CALL:
            self.fields["supporter"].label = "Coordinator"


class RoleForm(forms.Form):
    role = forms.ChoiceField(label="Place", choices=Role.choices)


class BusyForm(forms.Form):
    busy = forms.TypedChoiceField(choices=[("0", "Available"), ("1", "Busy")], coerce=lambda v: v == "1")


class ContactRecordForm(forms.Form):
    """The 30-second record: categories and numbers, no free text."""

    topics = forms.ModelMultipleChoiceField(
        label="What it was about",
        queryset=Topic.objects.all(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="Tick any that fit; none is fine.",
    )
    career_stage = forms.ChoiceField(
        label="Their career stage",
        choices=[("", "Not said"), *CareerStage.choices],
        required=False,
        help_text="Only if they offered it.",
    )
    region = forms.ChoiceField(
        label="Their region",
        choices=[("", "Not known"), *Region.choices],
        required=False,
        help_text="Filled in when the service knows their workplace; otherwise only if they said.",
    )
    minutes = forms.IntegerField(label="How long, in minutes", min_value=1, max_value=MAX_MINUTES)
    referral_given = forms.BooleanField(label="I suggested another service (a referral)", required=False)
    risk_raised = forms.BooleanField(label="A risk of harm was raised", required=False)
    hard_for_me = forms.BooleanField(
        label="This one was hard for me",
        required=False,
        help_text="Only you and the figures see this. After a few hard ones in a week we check in with you.",
    )
