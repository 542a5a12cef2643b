"""The one time-zone list: Australia and New Zealand first, readable, no legacy aliases."""

from __future__ import annotations

import datetime as dt
import html
import json
import re
import zoneinfo

import pytest
from django import forms

from alongside.accounts.forms import ProfileForm
from alongside.lib.zones import AU_NZ, TimeZoneField, canonical_zone, timezone_choices
from alongside.service.forms import ServiceSettingsForm

LEGACY = ["Australia/ACT", "Australia/NSW", "Australia/Canberra", "Australia/Victoria", "Australia/North", "NZ"]


def test_australian_and_new_zealand_zones_come_first_with_readable_names():
    choices = timezone_choices()
    assert choices[: len(AU_NZ)] == list(AU_NZ)
    labels = dict(choices)
    assert labels["Australia/Sydney"] == "Sydney, Canberra (AEST/AEDT)"
    assert labels["Australia/Melbourne"] == "Melbourne (AEST/AEDT)"
    assert labels["Pacific/Auckland"].startswith("Auckland, Wellington")
    assert labels["Europe/London"] == "London, Britain (UK)"


def test_the_list_has_no_legacy_aliases_and_no_duplicates():
    names = [name for name, _ in timezone_choices()]
    assert len(names) == len(set(names)) > 300
    for alias in [*LEGACY, "Asia/Calcutta", "US/Eastern", "Etc/GMT+10", "Australia/Currie"]:
        assert alias not in names
    for name in names:
        zoneinfo.ZoneInfo(name)


@pytest.mark.parametrize(("name", "label"), AU_NZ)
def test_the_abbreviations_in_each_label_are_the_zones_own(name, label):
    zone = zoneinfo.ZoneInfo(name)
    for month in (1, 7):
        abbreviation = dt.datetime(2026, month, 15, 12, tzinfo=zone).tzname() or ""
        if abbreviation.isalpha():
            assert abbreviation in label


@pytest.mark.parametrize(
    ("alias", "zone"),
    [
        ("Australia/ACT", "Australia/Sydney"),
        ("Australia/NSW", "Australia/Sydney"),
        ("Australia/Victoria", "Australia/Melbourne"),
        ("Asia/Calcutta", "Asia/Kolkata"),
        ("NZ", "Pacific/Auckland"),
        ("Australia/Perth", "Australia/Perth"),
    ],
)
def test_a_legacy_alias_is_read_as_the_zone_it_links_to(alias, zone):
    assert canonical_zone(alias) == zone


@pytest.mark.parametrize("name", ["", "Mars/Olympus_Mons", "../../etc/passwd", "/etc/localtime"])
def test_an_unknown_zone_has_no_canonical_name(name):
    assert canonical_zone(name) is None


def test_every_time_zone_field_uses_the_one_list():
    profile_field = ProfileForm.base_fields["time_zone"]
    settings_field = ServiceSettingsForm.base_fields["time_zone"]
    assert isinstance(profile_field, TimeZoneField) and isinstance(settings_field, TimeZoneField)
    assert list(profile_field.choices) == list(settings_field.choices) == timezone_choices()


def test_a_posted_alias_is_saved_as_its_zone_and_a_stored_alias_shows_as_its_zone():
    class Form(forms.Form):
        zone = TimeZoneField()

    form = Form({"zone": "Australia/ACT"})
    assert form.is_valid() and form.cleaned_data["zone"] == "Australia/Sydney"
    rendered = str(Form(initial={"zone": "Australia/NSW"})["zone"])
    assert '<option value="Australia/Sydney" selected>' in rendered
    assert not Form({"zone": "Mars/Olympus_Mons"}).is_valid()


@pytest.mark.django_db
def test_only_a_person_who_has_not_chosen_gets_the_browser_guess():
    first = ProfileForm(detect_zone=True)
    assert "data-detect-zone" in str(first["time_zone"]) and "js/timezone.js" in str(first.media)
    again = ProfileForm({"time_zone": "Australia/Perth"}, detect_zone=True)  # a posted choice is never overridden
    assert "data-detect-zone" not in str(again["time_zone"])
    later = ProfileForm()
    assert "data-detect-zone" not in str(later["time_zone"]) and "timezone.js" not in str(later.media)


def test_the_browser_guess_carries_the_aliases_a_browser_may_report():
    class Form(forms.Form):
        zone = TimeZoneField(detect=True)
        plain = TimeZoneField()

    rendered = str(Form()["zone"])
    found = re.search(r'data-zone-aliases="([^"]*)"', rendered)
    assert found is not None
    aliases = json.loads(html.unescape(found.group(1)))
    assert aliases["Asia/Calcutta"] == "Asia/Kolkata"
    assert aliases["Australia/ACT"] == "Australia/Sydney"
    assert "Australia/Sydney" not in aliases
    assert "data-zone-aliases" not in str(Form()["plain"])
