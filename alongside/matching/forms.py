"""Forms for the coordinators' matching screens."""

from __future__ import annotations

from typing import Any

from django import forms

from alongside.connections.models import REASON_MAX_LENGTH
from alongside.matching import engine


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


WEIGHT_HELP = {
    "topic_experience": "How much a supporter's experience of the member's topics counts (share of topics covered).",
    "career_stage_fit": "How much the kind of peer asked for counts: the same stage, or more senior.",
    "specialty_wish": "How much the member's wish for someone from their own specialty counts.",
    "time_overlap": "How much shared free time in the week counts (up to six hours).",
    "load_spread": "How strongly new connections go to supporters with fewer people already.",
    "waiting_time": "Batch matching only: how much longer waits move a request up (up to two weeks).",
}


class WeightsForm(forms.Form):
    """The soft-score weights, each from 0 to 1,000 points. Hard constraints are never weighed."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in engine.Weights.__dataclass_fields__:
            self.fields[name] = forms.DecimalField(
                label=name.replace("_", " ").capitalize(),
                min_value=0,
                max_value=1000,
                max_digits=7,
                decimal_places=2,
                help_text=WEIGHT_HELP.get(name, ""),
            )
