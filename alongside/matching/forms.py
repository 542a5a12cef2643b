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
