import datetime as dt

import pytest
from django.urls import reverse

from alongside.audit.models import AuditEvent
from alongside.library.models import Category
from alongside.service.models import OpeningHours, ServiceSettings
from tests.factories import ResourceFactory

pytestmark = pytest.mark.django_db

URL = reverse("console:settings")


def _post(days=None, **settings):
    data = {
        "name": "Peer Support Victoria",
        "region": "VIC",
        "time_zone": "Australia/Melbourne",
        "about": "Run by doctors, for doctors.",
        "formats": ["offers_talk_now", "offers_ongoing"],
        "signups_open": "on",
        "talk_now_wait_minutes": "3",
        "message_retention_days": "30",
        "hours-TOTAL_FORMS": "7",
        "hours-INITIAL_FORMS": "7",
        "hours-MIN_NUM_FORMS": "7",
        "hours-MAX_NUM_FORMS": "7",
    }
    data.update(settings)
    for i in range(7):
        day = {"opens": "08:00", "closes": "22:00"} if i < 5 else {"closed": "on"}
        day.update((days or {}).get(i, {}))
        for key, value in day.items():
            data[f"hours-{i}-{key}"] = value
    return data


def _strip(body: str) -> str:
    return body[body.index('aria-label="Urgent help"') : body.index("</aside>")]


def test_the_page_shows_the_current_settings_and_a_week_of_hours(coordinator_client):
    OpeningHours.objects.create(weekday=0, opens=dt.time(9), closes=dt.time(17))
    response = coordinator_client.get(URL)
    assert response.status_code == 200
    formset = response.context["formset"]
    assert len(formset.forms) == 7
    assert formset.forms[0].initial == {"closed": False, "opens": dt.time(9), "closes": dt.time(17)}
    body = response.content.decode()
    for day in ("Monday", "Tuesday", "Sunday"):
        assert f"<legend>{day}</legend>" in body
    assert 'value="09:00"' in body


def test_saving_updates_the_settings_the_hours_and_the_strip_at_once(
    coordinator_client, coordinator, django_capture_on_commit_callbacks
):
    assert "Monday – Friday" not in _strip(coordinator_client.get("/").content.decode())  # cached without hours
    with django_capture_on_commit_callbacks(execute=True):
        response = coordinator_client.post(URL, _post(days={4: {"opens": "18:00", "closes": "02:00"}}))
    assert response.status_code == 302 and response.url == URL
    row = ServiceSettings.objects.get()
    assert (row.name, row.offers_talk_now, row.offers_ongoing, row.offers_groups) == (
        "Peer Support Victoria",
        True,
        True,
        False,
    )
    assert OpeningHours.objects.get(weekday=4).closes == dt.time(2)  # past midnight is allowed
    assert not OpeningHours.objects.get(weekday=6).is_open
    home = coordinator_client.get("/").content.decode()
    assert "Peer Support Victoria" in home
    assert "Monday – Thursday 8 am – 10 pm; Friday 6 pm – 2 am; Saturday – Sunday closed" in _strip(home)
    assert AuditEvent.objects.get(action="service.settings.updated").actor_id == coordinator.pk


def test_invalid_hours_show_field_errors_and_nothing_is_saved(coordinator_client):
    response = coordinator_client.post(URL, _post(days={2: {"closes": ""}, 3: {"opens": "10:00", "closes": "10:00"}}))
    assert response.status_code == 200
    forms = response.context["formset"].forms
    assert forms[2].errors["closes"] == ["Give a closing time, or mark the day closed."]
    assert forms[3].errors["closes"] == ["The closing time must differ from the opening time."]
    body = response.content.decode()
    assert "Nothing was saved" in body and "Give a closing time, or mark the day closed." in body
    assert not OpeningHours.objects.exists()
    assert ServiceSettings.objects.get().name != "Peer Support Victoria"  # the valid settings half is not saved either
    assert not AuditEvent.objects.filter(action="service.settings.updated").exists()


def test_settings_and_hours_errors_show_together(coordinator_client):
    response = coordinator_client.post(URL, _post(days={0: {"opens": "soon"}}, name="x" * 10_240, formats=[]))
    assert response.status_code == 200
    assert "at most 120 characters" in response.context["form"].errors["name"][0]
    assert response.context["form"].errors["formats"] == ["Offer at least one format."]
    assert "opens" in response.context["formset"].forms[0].errors
    assert not OpeningHours.objects.exists()


def test_a_tampered_week_is_refused(coordinator_client):
    response = coordinator_client.post(URL, _post() | {"hours-TOTAL_FORMS": "2"})
    assert response.status_code == 200
    assert response.context["formset"].non_form_errors()
    assert not OpeningHours.objects.exists()


def test_the_page_lists_the_crisis_lines_in_the_strip_with_a_link_to_add_one(coordinator_client):
    national = ResourceFactory(
        title="Lifeline", phone="13 11 14", url="", is_crisis=True, category=Category.CRISIS, region="AU"
    )
    ResourceFactory(
        title="Victorian line", phone="1800 111 111", is_crisis=True, category=Category.CRISIS, region="VIC"
    )
    ResourceFactory(title="NSW only line", phone="1800 222 222", is_crisis=True, category=Category.CRISIS, region="NSW")
    ResourceFactory(title="Not a crisis line", region="AU")
    body = coordinator_client.get(URL).content.decode()
    section = body[body.index('id="crisis-heading"') :]
    assert "Lifeline" in section and "Victorian line" in section
    assert "NSW only line" not in section and "Not a crisis line" not in section
    assert reverse("console:resource_edit", args=[national.pk]) in section
    assert f"{reverse('console:resource_add')}?crisis=1" in section


def test_without_crisis_lines_the_page_says_what_the_strip_falls_back_to(coordinator_client):
    body = coordinator_client.get(URL).content.decode()
    assert "No crisis lines are set for this region." in body


def test_members_and_supporters_cannot_change_the_settings(member_client, supporter_client):
    for client in (member_client, supporter_client):
        assert client.post(URL, _post()).status_code == 403
    assert not ServiceSettings.objects.filter(name="Peer Support Victoria").exists()
    assert not OpeningHours.objects.exists()


def test_closing_sign_ups_closes_the_sign_up_page(coordinator_client, client, django_capture_on_commit_callbacks):
    data = _post()
    del data["signups_open"]
    with django_capture_on_commit_callbacks(execute=True):
        coordinator_client.post(URL, data)
    assert ServiceSettings.objects.get().signups_open is False
    body = client.get(reverse("account_signup")).content.decode()
    assert "closed" in body.lower()
    assert 'name="password1"' not in body


def test_coordinators_set_the_talk_now_wait(coordinator_client):
    response = coordinator_client.post(URL, _post(talk_now_wait_minutes="5"))
    assert response.status_code == 302
    assert ServiceSettings.objects.get().talk_now_wait_minutes == 5


@pytest.mark.parametrize("wait", ["0", "31", "two", ""])
def test_a_talk_now_wait_out_of_range_saves_nothing(coordinator_client, wait):
    response = coordinator_client.post(URL, _post(talk_now_wait_minutes=wait, name="Changed name"))
    assert response.status_code == 200
    assert response.context["form"].errors["talk_now_wait_minutes"]
    row = ServiceSettings.objects.get()
    assert row.talk_now_wait_minutes == 3 and row.name != "Changed name"
