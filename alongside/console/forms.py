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


ROLE_REASON_MAX_LENGTH = 500


class RoleChoiceForm(forms.Form):
    """Which role, and whether to grant or remove it: what the person page's buttons send."""

    role = forms.ChoiceField(choices=[(r, r) for r in ROLES])
    granted = forms.TypedChoiceField(choices=[("1", "grant"), ("0", "remove")], coerce=lambda v: v == "1")


class RoleForm(RoleChoiceForm):
    """The confirmation: a role changes only with the coordinator's reason, which is audited."""

    reason = forms.CharField(
        label="Why?",
        max_length=ROLE_REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Kept encrypted in the audit log, for coordinators only. Please leave out health details.",
        error_messages={
            "required": "Give a reason for this change.",
            "max_length": f"Keep the reason to {ROLE_REASON_MAX_LENGTH} characters or fewer.",
        },
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["role"].widget = forms.HiddenInput()
        self.fields["granted"].widget = forms.HiddenInput()

    def clean_reason(self) -> str:
        reason = " ".join(str(self.cleaned_data["reason"]).split())
        if not reason:
            raise forms.ValidationError("Give a reason for this change.")
        return reason


class ActiveForm(forms.Form):
    active = forms.TypedChoiceField(choices=[("1", "reactivate"), ("0", "deactivate")], coerce=lambda v: v == "1")
