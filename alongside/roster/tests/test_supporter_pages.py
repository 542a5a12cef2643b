"""The supporter's pages: my shifts (with their own time beside the service's), the on-shift switch, the contact
record form, and their shifts in the private calendar feed."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from icalendar import Calendar

from alongside.accounts.models import Profile
from alongside.audit.models import AuditEvent
from alongside.lib.time import now
from alongside.meetings.calendar import reset_feed
from alongside.roster.models import ContactFormat, ContactRecord, Presence, Shift
from alongside.roster.selectors import contacts_to_file_count, shift_status
from alongside.roster.services import end_contact, open_contact
from tests import factories

pytestmark = pytest.mark.django_db


def test_my_shifts_shows_service_time_and_the_supporters_own_when_they_differ(open_hours, supporter, supporter_client):
    Profile.objects.filter(user=supporter).update(time_zone="Pacific/Auckland")
    start = dt.datetime(2026, 12, 29, 18, tzinfo=dt.timezone(dt.timedelta(hours=11)))  # Melbourne 6 pm
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("alongside.roster.selectors.now", lambda: start - dt.timedelta(days=1))
        factories.shift(starts_at=start, hours=4, primary=[supporter])
        body = supporter_client.get(reverse("roster:my_shifts")).content.decode()
    assert "Tue 29 Dec, 6:00 pm – 10:00 pm" in body and "(Melbourne time)" in body
    assert "Tue 29 Dec, 8:00 pm – 12:00 am your time (Auckland)" in body
    assert "Offer for swap or cover" in body


def test_the_same_zone_shows_one_time(open_hours, supporter, supporter_client):
    Profile.objects.filter(user=supporter).update(time_zone="Australia/Melbourne")
    factories.shift(starts_at=now() + dt.timedelta(days=1), primary=[supporter])
    assert "your time" not in supporter_client.get(reverse("roster:my_shifts")).content.decode()


def test_on_shift_a_supporter_switches_between_available_and_busy(supporter, supporter_client):
    shift = factories.shift(primary=[supporter])
    body = supporter_client.get(reverse("roster:my_shifts")).content.decode()
    assert "You are on shift until" in body and "Available" in body
    assert shift_status(supporter.pk).until == shift.ends_at

    supporter_client.post(reverse("roster:busy"), {"busy": "1"})
    assert Presence.objects.get(supporter=supporter).busy_by_choice
    body = supporter_client.get(reverse("roster:my_shifts")).content.decode()
    assert "I am available" in body
    supporter_client.post(reverse("roster:busy"), {"busy": "0"})
    assert not Presence.objects.get(supporter=supporter).busy_by_choice
    assert supporter_client.post(reverse("roster:busy"), {"busy": "maybe"}).status_code == 302
    assert not Presence.objects.get(supporter=supporter).busy_by_choice


def test_in_a_conversation_shows_as_such_and_off_shift_shows_the_next_shift(supporter, supporter_client):
    factories.shift(primary=[supporter])
    record = open_contact(supporter_id=supporter.pk, format=ContactFormat.PHONE)
    body = supporter_client.get(reverse("roster:my_shifts")).content.decode()
    assert "Busy: in a conversation" in body and "I am busy for now" not in body
    end_contact(record_id=record.pk)
    Shift.objects.all().delete()
    factories.shift(starts_at=now() + dt.timedelta(days=3), primary=[supporter])
    body = supporter_client.get(reverse("roster:my_shifts")).content.decode()
    assert "You are not on shift now" in body and "Your next shift starts" in body
    assert "1 contact record to file" in body


def _ended(supporter, minutes=12):  # type: ignore[no-untyped-def]
    record = ContactRecord.objects.create(
        supporter=supporter,
        format=ContactFormat.TALKNOW_CHAT,
        started_at=now() - dt.timedelta(minutes=minutes),
        ended_at=now(),
        minutes=minutes,
    )
    return record


def test_the_contact_record_is_prefilled_validated_field_by_field_and_filed(supporter, supporter_client):
    record = _ended(supporter)
    topic = factories.TopicFactory(name="Burnout")
    url = reverse("roster:contact_record", args=[record.pk])
    body = supporter_client.get(url).content.decode()
    assert "Talk now: chat" in body and 'value="12"' in body
    assert "<textarea" not in body  # no free text anywhere

    response = supporter_client.post(url, {"minutes": "0", "career_stage": "astronaut", "topics": [topic.pk]})
    assert response.status_code == 200
    form = response.context["form"]
    assert set(form.errors) == {"minutes", "career_stage"}
    record.refresh_from_db()
    assert record.filed_at is None and not record.topics.exists()

    response = supporter_client.post(
        url, {"minutes": "15", "career_stage": "registrar", "topics": [topic.pk], "risk_raised": "on"}
    )
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.filed_at is not None and record.minutes == 15 and record.risk_raised and not record.referral_given
    assert list(record.topics.all()) == [topic]
    assert contacts_to_file_count(supporter.pk) == 0
    assert AuditEvent.objects.filter(action="roster.contact.filed", target_id=str(record.pk)).exists()


def test_the_contact_record_list_holds_ended_unfiled_records_only(supporter, supporter_client):
    ended = _ended(supporter)
    open_one = open_contact(supporter_id=supporter.pk, format=ContactFormat.PHONE)
    body = supporter_client.get(reverse("roster:contacts_to_file")).content.decode()
    assert reverse("roster:contact_record", args=[ended.pk]) in body
    assert reverse("roster:contact_record", args=[open_one.pk]) not in body
    # An open contact cannot be filed yet.
    response = supporter_client.post(reverse("roster:contact_record", args=[open_one.pk]), {"minutes": "3"})
    assert response.status_code == 302
    open_one.refresh_from_db()
    assert open_one.filed_at is None


def test_another_supporters_contact_record_is_a_404_and_audited(supporter):
    record = _ended(factories.supporter())
    client = Client()
    client.force_login(supporter)
    assert client.get(reverse("roster:contact_record", args=[record.pk])).status_code == 404
    assert client.post(reverse("roster:contact_record", args=[record.pk]), {"minutes": "5"}).status_code == 404
    assert (
        AuditEvent.objects.filter(action="roster.contact.view", outcome="denied", target_id=str(record.pk)).count() == 2
    )
    record.refresh_from_db()
    assert record.filed_at is None


def test_shifts_are_in_the_supporters_calendar_feed_and_say_nothing_of_anyone(open_hours, supporter, client):
    colleague = factories.supporter(display_name="Colleague")
    mine = factories.shift(starts_at=now() + dt.timedelta(days=2), primary=[supporter], backup=[colleague])
    cancelled = factories.shift(starts_at=now() + dt.timedelta(days=4), primary=[supporter])
    Shift.objects.filter(pk=cancelled.pk).update(cancelled_at=now())
    factories.shift(starts_at=now() + dt.timedelta(days=5), primary=[colleague])
    token = reset_feed(user=supporter)

    response = client.get(reverse("meetings:calendar_feed", args=[token]))
    assert response.status_code == 200
    events = list(Calendar.from_ical(response.content).walk("VEVENT"))
    assert [(str(e["summary"]), e.decoded("dtstart")) for e in events] == [
        ("Peer support shift (primary)", mine.starts_at.replace(microsecond=0))
    ]
    text = response.content.decode()
    for secret in ("Colleague", colleague.email, supporter.email, str(supporter.profile.display_name)):  # type: ignore[attr-defined]
        assert secret not in text

    colleague_token = reset_feed(user=colleague)
    events = Calendar.from_ical(client.get(reverse("meetings:calendar_feed", args=[colleague_token])).content)
    assert sorted(str(e["summary"]) for e in events.walk("VEVENT")) == [
        "Peer support shift (backup)",
        "Peer support shift (primary)",
    ]


def test_a_members_feed_has_no_shifts(member, client):
    token = reset_feed(user=member)
    assert b"shift" not in client.get(reverse("meetings:calendar_feed", args=[token])).content.lower()
