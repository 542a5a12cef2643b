from __future__ import annotations

import re
from typing import Any

from django import forms
from django.db.models import Q
from django.db.models.functions import Lower

from alongside.accounts.models import Profile
from alongside.directory.models import Language, Workplace
from alongside.directory.widgets import PickerSelectMultiple
from alongside.lib.time import valid_timezone
from alongside.lib.zones import TimeZoneField

_DISPLAY_NAME = re.compile(r"^[\w][\w .'\-]*$")
_LOOKS_LIKE_CONTACT = re.compile(r"@|(?:\d[\s\-]?){6,}")


class ProfileForm(forms.ModelForm):  # type: ignore[type-arg]
    real_name = forms.CharField(
        max_length=120,
        required=False,
        help_text="Optional. Kept encrypted and never shown to peers.",
    )
    time_zone = TimeZoneField(help_text="Session times and reminders are shown in this time zone.")

    class Meta:
        model = Profile
        fields = [
            "display_name",
            "real_name",
            "career_stage",
            "international_graduate",
            "specialty",
            "workplaces",
            "languages",
            "time_zone",
        ]
        labels = {
            "display_name": "Display name",
            "international_graduate": "I am an international medical graduate",
            "specialty": "Specialty (optional)",
            "workplaces": "Where you work or study",
        }
        help_texts = {
            "display_name": "The name peers see. A pseudonym is fine; please don't use your email or phone number.",
            "workplaces": "Used only so you are never matched with someone from your own workplace. Never shown to peers.",
            "languages": "Languages you are comfortable talking in.",
        }
        widgets = {
            "workplaces": PickerSelectMultiple,
            "languages": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args: Any, detect_zone: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["career_stage"].required = True
        # A person who has not chosen a zone yet gets their browser's guess pre-selected; never over a choice.
        self.fields["time_zone"].detect(detect_zone and not self.is_bound)  # type: ignore[attr-defined]
        # Deactivated workplaces are not offered, but stay on the profiles that already have them.
        current = self.instance.workplaces.values("pk") if self.instance.pk else Workplace.objects.none().values("pk")
        self.fields["workplaces"].queryset = Workplace.objects.filter(  # type: ignore[attr-defined]
            Q(active=True) | Q(pk__in=current)
        )
        self.fields["languages"].queryset = Language.objects.all()  # type: ignore[attr-defined]
        self.fields["languages"].required = True

    def clean_display_name(self) -> str:
        name = " ".join(str(self.cleaned_data["display_name"]).split())
        if len(name) < 2:
            raise forms.ValidationError("Use at least two characters.")
        if _LOOKS_LIKE_CONTACT.search(name):
            raise forms.ValidationError("A display name can't contain an email address or a phone number.")
        if not _DISPLAY_NAME.match(name):
            raise forms.ValidationError("Use letters, numbers, spaces, hyphens, apostrophes and full stops only.")
        taken = Profile.objects.annotate(lname=Lower("display_name")).filter(lname=name.lower())
        if self.instance.pk:
            taken = taken.exclude(pk=self.instance.pk)
        if taken.exists():
            raise forms.ValidationError("Someone already uses that display name. Please choose another.")
        return name

    def clean_time_zone(self) -> str:
        tz = str(self.cleaned_data["time_zone"])
        if not valid_timezone(tz):
            raise forms.ValidationError("Choose a time zone from the list.")
        return tz


class DeleteAccountForm(forms.Form):
    confirm = forms.CharField(
        max_length=40,
        label='Type "delete" to confirm',
        help_text="This deletes your account at once. It cannot be undone.",
    )
    password = forms.CharField(widget=forms.PasswordInput, max_length=200, label="Your password")

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_confirm(self) -> str:
        value = str(self.cleaned_data["confirm"]).strip().lower()
        if value != "delete":
            raise forms.ValidationError('Type the word "delete".')
        return value

    def clean_password(self) -> str:
        password = str(self.cleaned_data["password"])
        if not self.user.check_password(password):
            raise forms.ValidationError("That password is not right.")
        return password
