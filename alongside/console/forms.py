"""Forms for the console's people pages. Resource, workplace and settings forms live in their own apps."""

from __future__ import annotations

from django import forms

from alongside.accounts.services import ROLES


class PeopleFilterForm(forms.Form):
    q = forms.CharField(label="Search by display name", max_length=100, required=False)
    role = forms.ChoiceField(
        label="Show",
        choices=[
            ("", "Everyone"),
            ("member", "Members without a role"),
            ("supporter", "Supporters"),
            ("coordinator", "Coordinators"),
            ("inactive", "Deactivated accounts"),
        ],
        required=False,
    )


class RoleForm(forms.Form):
    role = forms.ChoiceField(choices=[(r, r) for r in ROLES])
    granted = forms.TypedChoiceField(choices=[("1", "grant"), ("0", "remove")], coerce=lambda v: v == "1")


class ActiveForm(forms.Form):
    active = forms.TypedChoiceField(choices=[("1", "reactivate"), ("0", "deactivate")], coerce=lambda v: v == "1")
