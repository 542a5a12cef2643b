import datetime as dt

import pytest

from alongside.service.forms import HoursFormSet, ServiceSettingsForm, hours_initial
from alongside.service.models import OpeningHours

pytestmark = pytest.mark.django_db


def _settings(**overrides):
    data = {
        "name": "Peer Support Victoria",
        "region": "VIC",
        "time_zone": "Australia/Melbourne",
        "about": "",
        "formats": ["offers_talk_now", "offers_groups"],
        "signups_open": "on",
        "talk_now_wait_minutes": "3",
        "message_retention_days": "30",
    }
    data.update(overrides)
    return data


def _week(days=None, total=7):
    """Formset data: every day 9 am to 5 pm unless ``days`` says otherwise."""
    data = {
        "hours-TOTAL_FORMS": str(total),
        "hours-INITIAL_FORMS": "7",
        "hours-MIN_NUM_FORMS": "7",
        "hours-MAX_NUM_FORMS": "7",
    }
    for i in range(total):
        day = {"opens": "09:00", "closes": "17:00"}
        day.update((days or {}).get(i, {}))
        for key, value in day.items():
            data[f"hours-{i}-{key}"] = value
    return data


def _formset(data):
    return HoursFormSet(data, prefix="hours", initial=hours_initial([]))


def test_the_settings_form_turns_formats_into_the_three_switches():
    form = ServiceSettingsForm(_settings())
    assert form.is_valid(), form.errors
    values = form.settings_values()
    assert values["offers_talk_now"] is True and values["offers_ongoing"] is False and values["offers_groups"] is True
    assert values["signups_open"] is True


def test_the_settings_form_needs_at_least_one_format():
    form = ServiceSettingsForm(_settings(formats=[]))
    assert not form.is_valid()
    assert form.errors["formats"] == ["Offer at least one format."]


def test_the_settings_form_refuses_oversized_text_with_a_clear_message():
    form = ServiceSettingsForm(_settings(name="x" * 10_240, about="y" * 10_240))
    assert not form.is_valid()
    assert "at most 120 characters" in form.errors["name"][0]
    assert "at most 2000 characters" in form.errors["about"][0]


def test_the_settings_form_refuses_an_unknown_time_zone():
    form = ServiceSettingsForm(_settings(time_zone="Mars/Olympus_Mons"))
    assert not form.is_valid()
    assert "time_zone" in form.errors


def test_a_week_of_hours_gives_one_entry_per_day_in_order():
    formset = _formset(
        _week({5: {"closed": "on", "opens": "", "closes": ""}, 6: {"opens": "18:00", "closes": "02:00"}})
    )
    assert formset.is_valid(), formset.errors
    days = formset.day_hours()
    assert [d.weekday for d in days] == list(range(7))
    assert days[5].is_open is False and days[5].opens is None
    assert days[6].opens == dt.time(18) and days[6].closes == dt.time(2)  # past midnight is allowed


def test_an_open_day_needs_both_times():
    formset = _formset(_week({2: {"opens": "09:00", "closes": ""}}))
    assert not formset.is_valid()
    assert formset.forms[2].errors["closes"] == ["Give a closing time, or mark the day closed."]
    assert not formset.forms[1].errors


def test_opening_and_closing_at_the_same_time_is_refused():
    formset = _formset(_week({0: {"opens": "09:00", "closes": "09:00"}}))
    assert not formset.is_valid()
    assert "closes" in formset.forms[0].errors


def test_a_closed_day_ignores_any_times_given():
    formset = _formset(_week({3: {"closed": "on", "opens": "09:00", "closes": "09:00"}}))
    assert formset.is_valid(), formset.errors
    assert formset.day_hours()[3].opens is None


def test_a_time_that_is_not_a_time_is_a_field_error():
    formset = _formset(_week({4: {"opens": "nine-ish"}}))
    assert not formset.is_valid()
    assert "opens" in formset.forms[4].errors


@pytest.mark.parametrize("total", [3, 9, 1000])
def test_a_week_must_have_exactly_seven_days(total):
    formset = _formset(_week(total=total))
    assert not formset.is_valid()
    assert len(formset.forms) <= 7


def test_the_initial_week_shows_days_without_hours_as_closed():
    OpeningHours.objects.create(weekday=1, opens=dt.time(8), closes=dt.time(20))
    initial = hours_initial(list(OpeningHours.objects.all()))
    assert initial[1] == {"closed": False, "opens": dt.time(8), "closes": dt.time(20)}
    assert all(day["closed"] for i, day in enumerate(initial) if i != 1)
