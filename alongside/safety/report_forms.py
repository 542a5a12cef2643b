"""The conduct report form (the reporter's) and the coordinators' closing form."""

from __future__ import annotations

from django import forms

from alongside.safety.models import ReportCategory
from alongside.safety.services import OUTCOME_NOTE_MAX_LENGTH, REPORT_TEXT_MAX_LENGTH


class ReportForm(forms.Form):
    category = forms.ChoiceField(label="What was it about?", choices=ReportCategory.choices, widget=forms.RadioSelect)
    text = forms.CharField(
        label="What happened",
        max_length=REPORT_TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="In your own words. Only the coordinators read it; the person you report is not told by us.",
    )


class CloseReportForm(forms.Form):
    outcome_note = forms.CharField(
        label="Outcome",
        max_length=OUTCOME_NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="What was done, for the other coordinators. The reporter never sees it.",
    )
