"""Forms for coordinators editing the resource library."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError

from alongside.directory.models import Region
from alongside.library.models import Category, Resource

LINK_OR_PHONE = "Give a link, a phone number, or both."
_PHONE = re.compile(r"^\+?[\d ()\-]+$")


class ResourceForm(forms.ModelForm):  # type: ignore[type-arg]
    """One resource. The model's own rules (``Resource.clean``) are shown against the fields they concern."""

    url = forms.URLField(
        label="Link",
        max_length=Resource._meta.get_field("url").max_length,
        required=False,
        assume_scheme="https",
        help_text="The web address, starting with https://.",
    )

    class Meta:
        model = Resource
        fields = [
            "title",
            "description",
            "url",
            "phone",
            "category",
            "region",
            "is_crisis",
            "is_public",
            "is_referral",
            "position",
        ]
        labels = {
            "is_crisis": "Crisis line",
            "is_public": "Public",
            "is_referral": "Referral service",
            "position": "Position",
        }
        help_texts = {
            "phone": "As people should dial it, for example 13 11 14 or 1300 374 377.",
            "is_crisis": "Crisis lines appear in the urgent help strip at the top of every page, for their region.",
            "is_public": "Visitors without an account can read it in the library. Crisis lines are always public.",
            "is_referral": "Supporters can send it as a card in a conversation, in one click (doctors' health "
            "services, finding a GP or a psychologist, employee assistance).",
        }
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}

    def clean_title(self) -> str:
        title = " ".join(str(self.cleaned_data["title"]).split())
        if not title:
            raise ValidationError("Give the resource a title.")
        return title

    def clean_description(self) -> str:
        return str(self.cleaned_data["description"]).strip()

    def clean_phone(self) -> str:
        phone = " ".join(str(self.cleaned_data["phone"]).split())
        if phone and (not _PHONE.match(phone) or sum(ch.isdigit() for ch in phone) < 3):
            raise ValidationError("Use digits, spaces and an optional leading +, for example 13 11 14.")
        return phone

    def clean_url(self) -> str:
        url = str(self.cleaned_data["url"])
        if url and not url.lower().startswith(("https://", "http://")):
            raise ValidationError("Use a web address starting with https:// or http://.")
        return url

    def _update_errors(self, errors: ValidationError) -> None:
        # Resource.clean() and its database constraint report a missing link and phone for the
        # whole form. People fix it in those two fields, so that is where the message goes.
        error_dict = getattr(errors, "error_dict", None)
        if error_dict and NON_FIELD_ERRORS in error_dict and self._lacks_link_and_phone():
            del error_dict[NON_FIELD_ERRORS]
            for name in ("url", "phone"):
                if name not in self.errors:
                    error_dict.setdefault(name, []).append(ValidationError(LINK_OR_PHONE, code="link_or_phone"))
            if not error_dict:
                return
        super()._update_errors(errors)  # type: ignore[misc]

    def _lacks_link_and_phone(self) -> bool:
        data: dict[str, Any] = self.cleaned_data
        return not data.get("url") and not data.get("phone")


class ResourceFilterForm(forms.Form):
    """The console's resource list: search and narrow by category, region and crisis lines."""

    q = forms.CharField(label="Search", max_length=100, required=False)
    category = forms.ChoiceField(choices=[("", "All categories"), *Category.choices], required=False)
    region = forms.ChoiceField(choices=[("", "All regions"), *Region.choices], required=False)
    crisis = forms.BooleanField(label="Crisis lines only", required=False)
