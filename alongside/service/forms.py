"""Forms for the service settings page: the settings themselves and a week of opening hours."""

from __future__ import annotations

from typing import Any, cast

from django import forms

from alongside.directory.models import Region
from alongside.lib.time import valid_timezone
from alongside.lib.zones import TimeZoneField
from alongside.service.models import (
    MESSAGE_RETENTION_RANGE,
    TALK_NOW_WAIT_RANGE,
    OpeningHours,
    ServiceSettings,
    Weekday,
)
from alongside.service.selectors import SERVICE_FORMATS
from alongside.service.services import DayHours

NOT_YET = ": not built yet, so nobody is offered it even when ticked"
LABELS = {
    "offers_talk_now": "Talk now (one-off conversations)",
    "offers_ongoing": "Ongoing one-to-one peer connections",
    "offers_groups": "Groups, drop-ins and debriefs",
}
FORMATS = [(f.field, LABELS[f.field] + ("" if f.available else NOT_YET)) for f in SERVICE_FORMATS]
"""The three switches, the formats not built yet said to be so (the home page shows only what exists)."""


class ServiceSettingsForm(forms.Form):
    name = forms.CharField(label="Service name", max_length=ServiceSettings._meta.get_field("name").max_length)
    region = forms.ChoiceField(
        choices=Region.choices,
        help_text="The crisis strip shows the crisis lines for this region and the Australia-wide ones.",
    )
    time_zone = TimeZoneField(help_text="Opening hours are in this time zone.")
    about = forms.CharField(
        label="About the service",
        max_length=ServiceSettings._meta.get_field("about").max_length,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="A few plain sentences about who runs the service, shown on the home page.",
    )
    formats = forms.MultipleChoiceField(
        label="Formats offered",
        choices=FORMATS,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Offer at least one format."},
    )
    talk_now_wait_minutes = forms.IntegerField(
        label="Minutes before a talk-now request goes further",
        min_value=TALK_NOW_WAIT_RANGE[0],
        max_value=TALK_NOW_WAIT_RANGE[1],
        help_text="When nobody on shift accepts a talk-now request in this time, the backups are offered it; "
        "after as long again, the coordinators are alerted. The default is 3.",
        error_messages={
            "required": "Give a number of minutes.",
            "invalid": "Give a whole number of minutes.",
            "min_value": f"Give at least {TALK_NOW_WAIT_RANGE[0]} minute.",
            "max_value": f"Give at most {TALK_NOW_WAIT_RANGE[1]} minutes.",
        },
    )
    message_retention_days = forms.IntegerField(
        label="Days messages are kept after a conversation ends",
        min_value=MESSAGE_RETENTION_RANGE[0],
        max_value=MESSAGE_RETENTION_RANGE[1],
        help_text="When a connection or a talk-now conversation ends, its messages stay readable to the two people "
        "for this many days; then the words of every message are erased for good, for both of them. Members are "
        "told this on the about page and in every conversation. The default is 30.",
        error_messages={
            "required": "Give a number of days.",
            "invalid": "Give a whole number of days.",
            "min_value": f"Give at least {MESSAGE_RETENTION_RANGE[0]} day.",
            "max_value": f"Give at most {MESSAGE_RETENTION_RANGE[1]} days.",
        },
    )
    signups_open = forms.BooleanField(
        label="Sign-ups are open",
        required=False,
        help_text="When closed, new doctors and students can't create an account.",
    )

    @classmethod
    def initial_for(cls, row: ServiceSettings) -> dict[str, Any]:
        return {
            "name": row.name,
            "region": row.region,
            "time_zone": row.time_zone,
            "about": row.about,
            "formats": [name for name, _ in FORMATS if getattr(row, name)],
            "signups_open": row.signups_open,
            "talk_now_wait_minutes": row.talk_now_wait_minutes,
            "message_retention_days": row.message_retention_days,
        }

    def clean_name(self) -> str:
        name = " ".join(str(self.cleaned_data["name"]).split())
        if len(name) < 2:
            raise forms.ValidationError("Use at least two characters.")
        return name

    def clean_about(self) -> str:
        return str(self.cleaned_data["about"]).strip()

    def clean_time_zone(self) -> str:
        tz = str(self.cleaned_data["time_zone"])
        if not valid_timezone(tz):
            raise forms.ValidationError("Choose a time zone from the list.")
        return tz

    def settings_values(self) -> dict[str, Any]:
        """The cleaned data as ``update_service_settings`` takes it."""
        data = self.cleaned_data
        values: dict[str, Any] = {
            k: data[k]
            for k in (
                "name",
                "region",
                "time_zone",
                "about",
                "signups_open",
                "talk_now_wait_minutes",
                "message_retention_days",
            )
        }
        for name, _ in FORMATS:
            values[name] = name in data["formats"]
        return values


class HoursForm(forms.Form):
    """One weekday: closed, or open from one time to another (a closing time before the opening time runs past midnight)."""

    closed = forms.BooleanField(label="Closed", required=False)
    opens = forms.TimeField(
        label="Opens", required=False, widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    closes = forms.TimeField(
        label="Closes", required=False, widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )

    def __init__(self, *args: Any, weekday: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.weekday = Weekday(weekday)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("closed"):
            data["opens"] = data["closes"] = None
            return data
        opens, closes = data.get("opens"), data.get("closes")
        if opens is None and "opens" not in self.errors:
            self.add_error("opens", "Give an opening time, or mark the day closed.")
        if closes is None and "closes" not in self.errors:
            self.add_error("closes", "Give a closing time, or mark the day closed.")
        if opens is not None and closes is not None and opens == closes:
            self.add_error("closes", "The closing time must differ from the opening time.")
        return data

    def day_hours(self) -> DayHours:
        data = self.cleaned_data
        return DayHours(
            weekday=int(self.weekday),
            is_open=not data["closed"],
            opens=data["opens"],
            closes=data["closes"],
        )


class BaseHoursFormSet(forms.BaseFormSet):  # type: ignore[type-arg]
    """Seven forms, Monday first; a form's position is its weekday, so no weekday is taken from the request."""

    def get_form_kwargs(self, index: int | None) -> dict[str, Any]:
        kwargs: dict[str, Any] = super().get_form_kwargs(index)
        if index is not None:
            kwargs["weekday"] = index
        return kwargs

    def day_hours(self) -> list[DayHours]:
        return [form.day_hours() for form in self.forms]


HoursFormSet = cast(
    type[BaseHoursFormSet],
    forms.formset_factory(
        HoursForm,
        formset=BaseHoursFormSet,
        extra=0,
        min_num=7,
        max_num=7,
        absolute_max=7,
        validate_min=True,
        validate_max=True,
    ),
)


def hours_initial(hours: list[OpeningHours]) -> list[dict[str, Any]]:
    """The week as the formset shows it; a day with no row is closed."""
    by_day = {h.weekday: h for h in hours}
    initial: list[dict[str, Any]] = []
    for day in Weekday:
        h = by_day.get(int(day))
        if h is None or not h.is_open:
            initial.append({"closed": True, "opens": None, "closes": None})
        else:
            initial.append({"closed": False, "opens": h.opens, "closes": h.closes})
    return initial
