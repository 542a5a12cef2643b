"""Forms for coordinators keeping the directory of workplaces."""

from __future__ import annotations

from typing import Any

from django import forms

from alongside.directory.models import Region
from alongside.directory.services import (
    BULK_MAX_LINES,
    DUPLICATE,
    NAME_MAX,
    name_problem,
    name_taken,
    normalise_name,
    parse_bulk_names,
)


class WorkplaceForm(forms.Form):
    name = forms.CharField(
        max_length=NAME_MAX,
        help_text="The public name of the health service, hospital or school.",
    )
    region = forms.ChoiceField(choices=Region.choices, initial=Region.VIC)

    def __init__(self, *args: Any, exclude_pk: int | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.exclude_pk = exclude_pk

    def clean_name(self) -> str:
        name = normalise_name(str(self.cleaned_data["name"]))
        problem = name_problem(name)
        if problem:
            raise forms.ValidationError(problem)
        if name_taken(name, exclude_pk=self.exclude_pk):
            raise forms.ValidationError(DUPLICATE, code="duplicate")
        return name


class BulkWorkplaceForm(forms.Form):
    names = forms.CharField(
        label="Workplace names",
        max_length=BULK_MAX_LINES * (NAME_MAX + 2),
        widget=forms.Textarea(attrs={"rows": 12}),
        help_text=(
            f"One name a line, up to {BULK_MAX_LINES}. Names already in the directory are skipped. "
            "If any line has a problem, nothing is added."
        ),
    )
    region = forms.ChoiceField(choices=Region.choices, initial=Region.VIC, help_text="Every name gets this region.")

    def clean_names(self) -> list[str]:
        return parse_bulk_names(str(self.cleaned_data["names"]))


class WorkplaceFilterForm(forms.Form):
    q = forms.CharField(label="Search", max_length=100, required=False)
    region = forms.ChoiceField(choices=[("", "All regions"), *Region.choices], required=False)
    status = forms.ChoiceField(
        label="Status",
        choices=[("", "Active and inactive"), ("active", "Active"), ("inactive", "Inactive")],
        required=False,
    )
