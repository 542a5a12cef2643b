"""Asking for a call-back (anyone), the caller's private link, supporters on shift taking one (first wins), and
call-backs lapsing with their numbers deleted."""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo

import pytest
from django.test import Client

from alongside.lib.time import now
from alongside.notifications.models import Kind, Notification
from alongside.phoneline import services as phone_services
from alongside.phoneline.models import Callback, CallbackOutcome, CallbackStatus
from alongside.phoneline.services import lapse_callbacks, request_callback, take_callback
from alongside.phoneline.tasks import lapse_due_callbacks
from alongside.roster.models import ContactFormat
from alongside.roster.services import open_contact
from alongside.service.models import OpeningHours
from alongside.service.selectors import forget_snapshot
from tests import factories

ZONE = zoneinfo.ZoneInfo("Australia/Melbourne")


def _window(hours_ahead: int = 2, length: int = 1) -> dict[str, str]:
    start = (now() + dt.timedelta(hours=hours_ahead)).astimezone(ZONE)
    start = start.replace(minute=0, second=0, microsecond=0)
    end = start + dt.timedelta(hours=length)
    if end.date() != start.date():  # keep the window on one day
        start = (start + dt.timedelta(days=1)).replace(hour=10)
        end = start + dt.timedelta(hours=length)
    return {"day": start.date().isoformat(), "starts": start.strftime("%H:%M"), "ends": end.strftime("%H:%M")}


def _ask(client: Client, **changes: str):
    data = {"name": "Sam", "phone": "0412 345 678", **_window(), **changes}
    return client.post("/call-back/", data)


@pytest.fixture
def on_shift_soon(db):
    """Two supporters with a shift covering the next day."""
    people = [factories.supporter(), factories.supporter()]
    factories.shift(starts_at=now() - dt.timedelta(hours=1), hours=30, primary=people)
    return people


def test_anyone_can_ask_and_gets_a_private_link(
    client, line_on, open_all_day, on_shift_soon, monkeypatch, django_capture_on_commit_callbacks
):
    pushed = []
    monkeypatch.setattr(phone_services, "push_to_users", lambda ids, **kw: pushed.append((list(ids), kw)))
    with django_capture_on_commit_callbacks(execute=True):
        response = _ask(client)
    assert response.status_code == 302
    link = response["Location"]
    assert re.fullmatch(r"/call-back/[A-Za-z0-9_-]{40,}/\?new=1", link)
    callback = Callback.objects.get()
    assert callback.status == CallbackStatus.WAITING and callback.phone == "+61412345678"
    assert callback.requester is None
    page = client.get(link).content.decode()
    assert "Your call-back is booked" in page and "Waiting for a supporter" in page
    assert "+61 3 9000 1234" in page or "(03) 9000 1234" in page  # the service's number, so the caller knows it
    # The supporters on shift in the window are told, with nothing about the caller.
    assert set(Notification.objects.filter(kind=Kind.CALLBACK_NEW).values_list("user_id", flat=True)) == {
        p.pk for p in on_shift_soon
    }
    [(ids, push)] = pushed
    assert set(ids) == {p.pk for p in on_shift_soon}
    assert "Sam" not in str(push) and "0412" not in str(push)


def test_the_private_link_cancels_and_deletes_the_number(client, line_on, open_all_day):
    link = _ask(client)["Location"].split("?")[0]
    token = link.split("/")[2]
    response = client.post(f"/call-back/{token}/cancel/", follow=True)
    assert "Cancelled" in response.content.decode() and "number has been deleted" in response.content.decode()
    callback = Callback.objects.get()
    assert callback.status == CallbackStatus.CANCELLED and callback.phone == ""


def test_a_wrong_link_finds_nothing(client, line_on, open_all_day):
    _ask(client)
    assert client.get("/call-back/" + "x" * 43 + "/").status_code == 404


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"name": ""}, "name", "This field is required"),
        ({"phone": "12345"}, "phone", "not a complete phone number"),
        ({"phone": "call me"}, "phone", "Enter a phone number we can call"),
        ({"day": ""}, "day", "This field is required"),
        ({"ends": "00:00"}, "ends", "must end after it starts"),
    ],
)
def test_each_field_is_checked_and_nothing_is_saved(client, line_on, open_all_day, changes, field, words):
    response = _ask(client, **changes)
    assert response.status_code == 200
    form = response.context["form"]
    assert any(words in e for e in form.errors[field]), form.errors
    assert not Callback.objects.exists()


def test_a_window_outside_opening_hours_is_refused(client, line_on, db):
    for weekday in range(7):
        OpeningHours.objects.create(weekday=weekday, opens=dt.time(8), closes=dt.time(22))
    forget_snapshot()
    tomorrow = (now().astimezone(ZONE) + dt.timedelta(days=1)).date().isoformat()
    response = _ask(client, day=tomorrow, starts="21:30", ends="23:00")
    assert "inside the opening hours" in str(response.context["form"].errors)
    assert _ask(client, day=tomorrow, starts="20:00", ends="21:30").status_code == 302


def test_anonymous_requests_are_rate_limited(client, line_on, open_all_day):
    for _ in range(5):
        assert _ask(client).status_code == 302
    response = _ask(client)
    assert response.status_code == 200 and "several call-backs in the last hour" in response.content.decode()
    assert Callback.objects.count() == 5


def test_with_the_line_off_the_page_says_so_and_takes_nothing(client, open_all_day, crisis_lines):
    response = _ask(client)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Call-backs aren't available at the moment" in page and "13 11 14" in page
    assert not Callback.objects.exists()


# --- supporters taking call-backs -----------------------------------------------------------------------------


def _callback(**fields) -> Callback:
    made, _ = request_callback(
        name="Sam",
        phone="0412345678",
        window_starts_at=fields.get("starts", now() + dt.timedelta(hours=1)),
        window_ends_at=fields.get("ends", now() + dt.timedelta(hours=2)),
    )
    return made


def test_a_call_back_is_offered_to_the_supporters_on_shift_in_its_window_only(line_on, open_all_day, on_shift_soon):
    off_shift = factories.supporter()
    later = factories.supporter()
    factories.shift(starts_at=now() + dt.timedelta(days=3), primary=[later])
    callback = _callback()
    for person in on_shift_soon:
        client = Client()
        client.force_login(person)
        assert "Take this call-back" in client.get("/phone/call-backs/").content.decode()
        assert client.get(f"/phone/call-backs/{callback.pk}/").status_code == 200
    for person in (off_shift, later):
        client = Client()
        client.force_login(person)
        assert "Sam" not in client.get("/phone/call-backs/").content.decode()
        assert client.get(f"/phone/call-backs/{callback.pk}/").status_code == 404
        assert client.post(f"/phone/call-backs/{callback.pk}/take/").status_code == 404
    assert Callback.objects.get().status == CallbackStatus.WAITING


def test_the_first_to_take_it_wins_and_a_late_one_hears_someone_else_has_it(line_on, open_all_day, on_shift_soon):
    first, second = on_shift_soon
    callback = _callback()
    clients = []
    for person in (first, second):
        client = Client()
        client.force_login(person)
        clients.append(client)
    assert clients[0].post(f"/phone/call-backs/{callback.pk}/take/").status_code == 302
    late = clients[1].post(f"/phone/call-backs/{callback.pk}/take/", follow=True)
    assert late.status_code == 200 and "Someone else has it" in late.content.decode()
    callback.refresh_from_db()
    assert callback.taken_by == first
    detail = clients[1].get(f"/phone/call-backs/{callback.pk}/").content.decode()
    assert "Someone else has it" in detail and "Call now through the service" not in detail


def test_a_supporter_cancelled_on_is_told(line_on, open_all_day, on_shift_soon):
    callback = take_callback(callback_id=_callback().pk, supporter=on_shift_soon[0])
    phone_services.cancel_callback(callback=callback)
    assert Notification.objects.filter(user=on_shift_soon[0], kind=Kind.CALLBACK_CANCELLED).exists()


def test_call_backs_lapse_after_their_window_and_their_numbers_are_deleted(line_on, open_all_day, on_shift_soon):
    waiting = _callback(starts=now() - dt.timedelta(hours=2), ends=now() - dt.timedelta(minutes=1))
    future = _callback()
    forgotten = _callback(starts=now() - dt.timedelta(hours=1), ends=now() + dt.timedelta(minutes=10))
    forgotten = take_callback(callback_id=forgotten.pk, supporter=on_shift_soon[0])
    forgotten.contact = open_contact(supporter_id=on_shift_soon[0].pk, format=ContactFormat.CALLBACK)
    forgotten.save()
    assert lapse_callbacks() == 1
    waiting.refresh_from_db()
    assert waiting.status == CallbackStatus.LAPSED and waiting.phone == ""
    assert Callback.objects.get(pk=future.pk).phone == "+61412345678"
    assert lapse_callbacks(at=now() + dt.timedelta(hours=3)) == 2  # the future one lapses; the taken one closes
    forgotten.refresh_from_db()
    assert forgotten.status == CallbackStatus.DONE and forgotten.outcome == CallbackOutcome.NOT_RECORDED
    assert forgotten.phone == "" and forgotten.contact.ended_at is not None
    assert not Callback.objects.exclude(phone="").exists()


def test_the_periodic_task_lapses_them(line_on, open_all_day):
    _callback(starts=now() - dt.timedelta(hours=2), ends=now() - dt.timedelta(minutes=1))
    lapse_due_callbacks.call_local()
    assert Callback.objects.get().status == CallbackStatus.LAPSED
