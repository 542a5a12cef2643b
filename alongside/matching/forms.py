"""The form of the matching weights coordinators tune."""

from __future__ import annotations

from typing import Any

from django import forms

from alongside.matching import engine

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
