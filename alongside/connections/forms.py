"""Forms for asking for a peer, answering review points, closing, feedback, and a coordinator matching by hand."""

from __future__ import annotations

from typing import Any

from django import forms
from django.forms.boundfield import BoundField

from alongside.connections.glue import normalise_gender
from alongside.connections.models import NOTE_MAX_LENGTH, REASON_MAX_LENGTH, PeerKind, ReviewChoice, SameSpecialty
from alongside.directory.models import Language, Topic, Workplace
from alongside.directory.widgets import PickerSelectMultiple
from alongside.matching import engine
from alongside.matching.weekly import DAY_PARTS, Window, windows_from_day_parts
from alongside.supporters.models import Format, SupporterProfile

FREE_TIME_CHOICES = [(f"{day}-{part}", f"{engine.DAY_NAMES[day]} {part}") for day in range(7) for part in DAY_PARTS]


def gender_choices() -> list[tuple[str, str]]:
    """No preference, then each gender supporters have described (normalised), so a wish can be met."""
    described = {
        g
        for g in (
            normalise_gender(v)
            for v in SupporterProfile.objects.exclude(gender="").values_list("gender", flat=True).distinct()
        )
        if g
    }
    return [("", "No preference"), *[(g, g.capitalize()) for g in sorted(described)]]


class SupportRequestForm(forms.Form):
    topics = forms.ModelMultipleChoiceField(
        queryset=Topic.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="What would you like to talk about?",
        help_text="Choose any that fit. You don't have to say.",
    )
    peer_kind = forms.ChoiceField(
        choices=PeerKind.choices, widget=forms.RadioSelect, initial=PeerKind.ANY, label="What kind of peer?"
    )
    same_specialty = forms.ChoiceField(
        choices=SameSpecialty.choices, widget=forms.RadioSelect, initial=SameSpecialty.ANY, label="Same specialty?"
    )
    gender_wanted = forms.ChoiceField(
        choices=[("", "No preference")],
        required=False,
        label="Supporter's gender (only if it matters to you)",
        help_text="Leave this as no preference unless it matters to you: it narrows who can be suggested.",
    )
    languages = forms.ModelMultipleChoiceField(
        queryset=Language.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        label="Languages you could talk in",
        error_messages={"required": "Choose at least one language you could talk in."},
    )
    formats = forms.MultipleChoiceField(
        choices=Format.choices,
        widget=forms.CheckboxSelectMultiple,
        initial=list(Format.values),
        label="Ways you would be happy to meet",
        error_messages={"required": "Choose at least one way to meet."},
    )
    free_times = forms.MultipleChoiceField(
        choices=FREE_TIME_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="When are you usually free?",
        help_text="In your own time zone. Mornings are 6 am to noon, afternoons to 5 pm, evenings to 10 pm, "
        "nights to 6 am. Leave all empty if your times vary.",
    )
    excluded_workplaces = forms.ModelMultipleChoiceField(
        queryset=Workplace.objects.none(),
        required=False,
        widget=PickerSelectMultiple,
        label="Workplaces to avoid, besides your own (optional)",
        help_text="You are never matched with someone from your own workplace unless you say so below.",
    )
    allow_own_workplace = forms.BooleanField(
        required=False, label="I'm happy to be matched with someone from my own workplace"
    )
    note = forms.CharField(
        required=False,
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4, "maxlength": NOTE_MAX_LENGTH}),
        label="A short note for your peer (optional)",
        help_text=f"Up to {NOTE_MAX_LENGTH} characters. Kept encrypted and shown only to the supporter you are "
        "offered to. Please leave out names, workplaces and contact details.",
        error_messages={
            "max_length": f"Keep the note to {NOTE_MAX_LENGTH} characters or fewer (it has %(show_value)d)."
        },
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["topics"].queryset = Topic.objects.all()  # type: ignore[attr-defined]
        self.fields["languages"].queryset = Language.objects.all()  # type: ignore[attr-defined]
        self.fields["excluded_workplaces"].queryset = Workplace.objects.filter(active=True)  # type: ignore[attr-defined]
        self.fields["gender_wanted"].choices = gender_choices()  # type: ignore[attr-defined]

    def clean_note(self) -> str:
        return str(self.cleaned_data.get("note") or "").strip()

    def windows(self) -> list[Window]:
        cells = []
        for value in self.cleaned_data.get("free_times") or []:
            day, _, part = str(value).partition("-")
            cells.append((int(day), part))
        return windows_from_day_parts(cells)

    def free_time_rows(self) -> list[tuple[str, list[BoundField]]]:
        """The free-time checkboxes as a grid: one row per day, one column per part of the day."""
        boxes = list(self["free_times"])
        width = len(DAY_PARTS)
        return [(engine.DAY_NAMES[d], boxes[d * width : (d + 1) * width]) for d in range(7)]  # type: ignore[misc]


class PickForm(forms.Form):
    suggestion = forms.IntegerField(widget=forms.HiddenInput)


class ReviewForm(forms.Form):
    choice = forms.ChoiceField(
        choices=ReviewChoice.choices,
        widget=forms.RadioSelect,
        label="How would you like to go on?",
    )


class CloseForm(forms.Form):
    reason = forms.CharField(
        required=False,
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": REASON_MAX_LENGTH}),
        label="Anything the coordinators should know? (optional)",
        help_text="Seen only by the service's coordinators, never by your peer. Kept encrypted.",
        error_messages={"max_length": f"Keep the reason to {REASON_MAX_LENGTH} characters or fewer."},
    )


SCALE = [(str(n), str(n)) for n in range(1, 6)]


class FeedbackForm(forms.Form):
    felt_heard = forms.TypedChoiceField(
        choices=SCALE, coerce=int, widget=forms.RadioSelect, label="I felt heard (1 not at all, 5 completely)"
    )
    felt_respected = forms.TypedChoiceField(
        choices=SCALE, coerce=int, widget=forms.RadioSelect, label="I felt respected (1 not at all, 5 completely)"
    )
    would_recommend = forms.TypedChoiceField(
        choices=SCALE,
        coerce=int,
        widget=forms.RadioSelect,
        label="I would recommend peer support to a colleague (1 not at all, 5 certainly)",
    )


def candidate_label(suggestion: engine.Suggestion, name: str) -> str:
    why = "; ".join(suggestion.reasons) or "fits every hard constraint"
    return f"{name} (score {suggestion.score:.2f}): {why}"


class HandMatchForm(forms.Form):
    """Choose one of the feasible supporters and say why. The reason is stored encrypted on the offer."""

    supporter = forms.TypedChoiceField(
        label="Supporter",
        coerce=int,
        widget=forms.RadioSelect,
        help_text="Only supporters who meet every hard constraint and have room are listed, best match first.",
        error_messages={
            "required": "Choose a supporter.",
            "invalid_choice": "Choose one of the supporters listed; the one you chose can't take this request now.",
        },
    )
    reason = forms.CharField(
        label="Why this supporter",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=REASON_MAX_LENGTH,
        help_text="Required. Seen only by coordinators. Don't include the member's story or anyone's contact details.",
        error_messages={
            "required": "Give a reason for matching by hand.",
            "max_length": f"Keep the reason to {REASON_MAX_LENGTH} characters or fewer.",
        },
    )

    def __init__(self, *args: Any, candidates: list[engine.Suggestion], names: dict[int, str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["supporter"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [(s.supporter_id, candidate_label(s, names.get(s.supporter_id, "Someone"))) for s in candidates]
