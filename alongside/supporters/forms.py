"""Forms for a supporter's own profile and weekly availability."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.forms import BaseFormSet, formset_factory
from django.utils import timezone

from alongside.directory.models import CareerStage, Specialty, Topic
from alongside.matching.weekly import Window, hhmm_to_minutes, minutes_to_hhmm
from alongside.service.models import Weekday
from alongside.supporters.models import Format, SupporterProfile, SupporterStatus, TrainingModule

START_CHOICES = [(minutes_to_hhmm(m), minutes_to_hhmm(m)) for m in range(0, 24 * 60, 30)]
END_CHOICES = [(minutes_to_hhmm(m), minutes_to_hhmm(m)) for m in range(30, 24 * 60 + 1, 30)]
MAX_WINDOWS = 21


class SupporterProfileForm(forms.ModelForm):  # type: ignore[type-arg]
    formats = forms.MultipleChoiceField(
        choices=Format.choices,
        widget=forms.CheckboxSelectMultiple,
        label="Formats you offer",
        help_text="Members choose among these. No phone number passes between peers.",
    )
    status = forms.ChoiceField(
        choices=SupporterStatus.choices,
        widget=forms.RadioSelect,
        label="Taking on new connections",
        help_text="Pausing keeps your current connections; new offers stop until the date you give.",
    )
    paused_until = forms.DateField(
        required=False,
        label="Paused until (if paused)",
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="New offers start again the day after this date.",
    )

    class Meta:
        model = SupporterProfile
        fields = ["bio", "specialties", "topics", "gender", "formats", "capacity", "status", "paused_until"]
        labels = {
            "bio": "A short bio peers see",
            "specialties": "Specialties you can speak to (optional)",
            "topics": "Experiences you can support colleagues through",
            "gender": "Gender (optional)",
            "capacity": "Most connections at once",
        }
        help_texts = {
            "bio": "A few sentences, up to 600 characters. Keep it pseudonymous: no workplace, email or phone number.",
            "gender": "In your own words. Used only when a member asks for a peer of a particular gender.",
            "capacity": "Between 1 and 20. You are never offered more than this.",
        }
        widgets = {
            "bio": forms.Textarea(attrs={"rows": 4, "maxlength": 600}),
            "specialties": forms.SelectMultiple(attrs={"size": 6}),
            "topics": forms.CheckboxSelectMultiple,
            "gender": forms.TextInput(attrs={"maxlength": 40}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["specialties"].queryset = Specialty.objects.all()  # type: ignore[attr-defined]
        self.fields["topics"].queryset = Topic.objects.all()  # type: ignore[attr-defined]
        self.fields["capacity"].widget.attrs.update({"min": 1, "max": 20})

    def clean_capacity(self) -> int:
        capacity = int(self.cleaned_data["capacity"])
        if not 1 <= capacity <= 20:
            raise forms.ValidationError("Choose a number from 1 to 20. To take on nobody new, pause instead.")
        return capacity

    def clean_bio(self) -> str:
        return str(self.cleaned_data.get("bio") or "").strip()

    def clean_gender(self) -> str:
        return " ".join(str(self.cleaned_data.get("gender") or "").split())

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("status") == SupporterStatus.PAUSED:
            until = data.get("paused_until")
            if until is None:
                self.add_error("paused_until", "Give the date your pause ends.")
            elif until < timezone.localdate():
                self.add_error("paused_until", "Choose a date from today on.")
        else:
            data["paused_until"] = None
        return data


class WindowForm(forms.Form):
    """One weekly window. A row left entirely empty is ignored; a half-filled one is an error."""

    day = forms.ChoiceField(choices=[("", "Choose a day"), *Weekday.choices], required=False, label="Day")
    start = forms.ChoiceField(choices=[("", "Start"), *START_CHOICES], required=False, label="From")
    end = forms.ChoiceField(choices=[("", "End"), *END_CHOICES], required=False, label="To")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        given = [name for name in ("day", "start", "end") if data.get(name) not in (None, "")]
        if given and len(given) < 3:
            for name in ("day", "start", "end"):
                if name not in given:
                    self.add_error(name, "Give a day, a start and an end, or leave the whole row empty.")
            return data
        start, end = data.get("start"), data.get("end")
        if start and end and hhmm_to_minutes(start) >= hhmm_to_minutes(end):
            self.add_error("end", "The end must be later than the start.")
        return data

    def window(self) -> Window | None:
        d = getattr(self, "cleaned_data", {})
        if not (d.get("day") not in (None, "") and d.get("start") and d.get("end")):
            return None
        return Window(int(d["day"]), hhmm_to_minutes(d["start"]), hhmm_to_minutes(d["end"]))


def _deleted(form: forms.Form) -> bool:
    return bool(getattr(form, "cleaned_data", {}).get("DELETE"))


class BaseWindowFormSet(BaseFormSet):  # type: ignore[type-arg]
    def _kept(self) -> list[tuple[int, Window]]:
        out = []
        for index, form in enumerate(self.forms):
            window = form.window() if not _deleted(form) else None
            if window is not None:
                out.append((index, window))
        return out

    def clean(self) -> None:
        if any(self.errors):
            return
        seen: list[tuple[int, Window]] = []
        for index, window in self._kept():
            for other_index, other in seen:
                if other.day == window.day and window.start < other.end and other.start < window.end:
                    day = Weekday(window.day).label
                    self.forms[index].add_error(
                        "start",
                        f"This overlaps your {day} window {other_index + 1}. Join them into one window instead.",
                    )
                    raise forms.ValidationError(f"Two of your {day} windows overlap.")
            seen.append((index, window))

    def windows(self) -> list[Window]:
        return sorted((w for _, w in self._kept()), key=lambda w: (w.day, w.start))


WindowFormSet = formset_factory(
    WindowForm,
    formset=BaseWindowFormSet,
    extra=2,
    can_delete=True,
    max_num=MAX_WINDOWS,
    validate_max=True,
    absolute_max=MAX_WINDOWS + 5,
)


def window_initial(windows: list[Window]) -> list[dict[str, Any]]:
    return [{"day": w.day, "start": minutes_to_hhmm(w.start), "end": minutes_to_hhmm(w.end)} for w in windows]


class PauseForm(forms.Form):
    action = forms.ChoiceField(choices=[("pause", "Pause"), ("resume", "Resume")])
    until = forms.DateField(
        required=False,
        label="Paused until (optional)",
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Leave empty to pause until a coordinator resumes them.",
    )

    def clean_until(self) -> dt.date | None:
        until: dt.date | None = self.cleaned_data.get("until")
        if until is not None and until < timezone.localdate():
            raise forms.ValidationError("Choose a date from today on.")
        return until


# --- becoming a supporter ----------------------------------------------------------------------------------------


class ApplicationForm(forms.Form):
    """The application: registration, what they bring, why, two referees, and how much time they have."""

    full_name = forms.CharField(
        max_length=200,
        label="Your full name",
        help_text="As it appears on the register. Only the coordinators and your referees see it; peers never do.",
    )
    registration_number = forms.CharField(
        max_length=20,
        label="Medical registration number",
        help_text="As it appears on the public register: three letters and ten digits, such as MED0001234567. "
        "A coordinator checks it on the register.",
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )
    career_stage = forms.ChoiceField(choices=[("", "Choose one"), *CareerStage.choices], label="Career stage")
    specialty = forms.ModelChoiceField(
        queryset=Specialty.objects.none(), required=False, label="Specialty (optional)", empty_label="None yet"
    )
    motivation = forms.CharField(
        label="Why would you like to support colleagues?",
        help_text="A few sentences in your own words. Only the coordinators read this.",
        widget=forms.Textarea(attrs={"rows": 5, "maxlength": 2000}),
    )
    hours_per_month = forms.IntegerField(
        min_value=1, max_value=80, initial=4, label="Hours a month you could give", help_text="Between 1 and 80."
    )
    referee1_name = forms.CharField(max_length=120, label="First referee's name")
    referee1_email = forms.EmailField(label="First referee's email")
    referee1_relationship = forms.CharField(
        max_length=80, label="How they know you", help_text='For example "supervising consultant".'
    )
    referee2_name = forms.CharField(max_length=120, label="Second referee's name")
    referee2_email = forms.EmailField(label="Second referee's email")
    referee2_relationship = forms.CharField(max_length=80, label="How they know you")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["specialty"].queryset = Specialty.objects.all()  # type: ignore[attr-defined]


class ReferenceForm(forms.Form):
    recommends = forms.TypedChoiceField(
        choices=[("yes", "Yes"), ("no", "No")],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        label="Would you recommend them to support colleagues in distress?",
    )
    answer = forms.CharField(
        label="What makes them suited (or not) to this?",
        help_text="A few sentences. Only the service's coordinators read your answer.",
        widget=forms.Textarea(attrs={"rows": 6, "maxlength": 4000}),
    )


class CompletionForm(forms.Form):
    completed_on = forms.DateField(label="The day you completed it", widget=forms.DateInput(attrs={"type": "date"}))


class TrainingModuleForm(forms.ModelForm):  # type: ignore[type-arg]
    materials_url = forms.URLField(required=False, assume_scheme="https", label="Link to the materials (optional)")

    class Meta:
        model = TrainingModule
        fields = ["title", "materials_url", "required", "renewal_months"]
        labels = {
            "title": "Title",
            "materials_url": "Link to the materials (optional)",
            "required": "Required before a supporter is offered work",
            "renewal_months": "Renew every … months (optional)",
        }
        help_texts = {"renewal_months": "Leave empty if it never needs renewing. Reminders go 30 days before."}

    def clean_renewal_months(self) -> int | None:
        months: int | None = self.cleaned_data.get("renewal_months")
        if months is not None and not 1 <= months <= 120:
            raise forms.ValidationError("Choose between 1 and 120 months, or leave it empty.")
        return months
