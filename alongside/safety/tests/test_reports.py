"""Conduct reports: either side of a connection or conversation reports the other; the coordinators are told
(nothing about it), take it and close it with a note the reporter never sees; the reported person is not told."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import connection as db
from django.urls import reverse

from alongside.audit.models import AuditEvent, Outcome
from alongside.connections.tests import factories as connection_factories
from alongside.conversations.services import get_or_create_thread_for_connection
from alongside.lib.time import now
from alongside.notifications.models import Kind, Notification
from alongside.safety import services
from alongside.safety.models import Report, ReportCategory, ReportStatus
from alongside.safety.selectors import report_queue
from alongside.talknow import services as talknow_services
from alongside.talknow.models import TalkNowOffer, TalkNowRequest
from tests import factories

pytestmark = pytest.mark.django_db

TEXT = "They asked for my home address and kept messaging late at night."


@pytest.fixture
def connection(member, supporter):  # type: ignore[no-untyped-def]
    return connection_factories.connection(member, supporter)


def _report(client, url):  # type: ignore[no-untyped-def]
    return client.post(url, {"category": ReportCategory.BOUNDARY, "text": TEXT})


def test_a_member_reports_their_supporter_from_the_connection(connection, member, supporter, member_client):
    url = reverse("safety_reports:report_connection", kwargs={"pk": connection.pk})
    assert "Report Bob's conduct" in member_client.get(url).content.decode()
    response = _report(member_client, url)
    report = Report.objects.get()
    assert response["Location"] == reverse("safety_reports:report", kwargs={"pk": report.pk})
    assert (report.reporter, report.about, report.connection_id) == (member, supporter, connection.pk)
    assert report.status == ReportStatus.OPEN and report.text == TEXT


def test_a_supporter_reports_the_member_from_the_thread(connection, member, supporter, supporter_client):
    thread = get_or_create_thread_for_connection(connection=connection)
    _report(supporter_client, reverse("safety_reports:report_thread", kwargs={"pk": thread.pk}))
    report = Report.objects.get()
    assert (report.reporter, report.about, report.thread_id, report.connection_id) == (
        supporter,
        member,
        thread.pk,
        connection.pk,
    )


def test_either_side_of_a_talk_now_conversation_can_report_the_other(member, supporter, member_client):
    req = TalkNowRequest.objects.create(member=member, medium="chat", next_step_at=now() + dt.timedelta(minutes=3))
    talknow_services.accept(offer=TalkNowOffer.objects.create(request=req, supporter=supporter), supporter=supporter)
    req.refresh_from_db()
    page = member_client.get(reverse("talknow:conversation", kwargs={"pk": req.pk})).content.decode()
    url = reverse("safety_reports:report_thread", kwargs={"pk": req.thread_id})
    assert f'href="{url}"' in page
    _report(member_client, url)
    assert Report.objects.get().about == supporter


def test_someone_outside_the_connection_cannot_report_from_it(connection, outsider_client, coordinator_client):
    url = reverse("safety_reports:report_connection", kwargs={"pk": connection.pk})
    assert _report(outsider_client, url).status_code == 404
    assert _report(coordinator_client, url).status_code == 404
    assert not Report.objects.exists()
    assert AuditEvent.objects.filter(action="connections.connection.view", outcome=Outcome.DENIED).count() == 2


def test_an_empty_report_is_refused_field_by_field(connection, member_client):
    url = reverse("safety_reports:report_connection", kwargs={"pk": connection.pk})
    page = member_client.post(url, {}).content.decode()
    assert "Nothing was sent" in page and not Report.objects.exists()


def test_the_coordinators_are_told_nothing_about_it_and_the_reported_person_nothing_at_all(
    connection, member, supporter, coordinator
):  # type: ignore[no-untyped-def]
    other_coordinator = factories.coordinator()
    report = services.make_report(reporter=member, about=supporter, category=ReportCategory.HARASSMENT, text=TEXT)
    link = reverse("console:report", kwargs={"pk": report.pk})
    notes = Notification.objects.filter(kind=Kind.REPORT_NEW)
    assert sorted(notes.values_list("user_id", "link")) == sorted(
        [(coordinator.pk, link), (other_coordinator.pk, link)]
    )
    assert not Notification.objects.filter(user=supporter).exists()
    event = AuditEvent.objects.get(action="safety.report.made")
    assert event.details == {"category": "harassment"} and TEXT not in str(event.details)


def test_the_reporter_follows_the_state_but_never_sees_the_coordinators_note(
    connection, member, supporter, coordinator, member_client
):  # type: ignore[no-untyped-def]
    report = services.make_report(reporter=member, about=supporter, category=ReportCategory.OTHER, text=TEXT)
    url = reverse("safety_reports:report", kwargs={"pk": report.pk})
    assert "We have it" in member_client.get(url).content.decode()
    services.take_report(report=report, coordinator=coordinator)
    assert "A coordinator is looking at it" in member_client.get(url).content.decode()
    services.close_report(report=report, coordinator=coordinator, outcome_note="Spoke to Bob; agreed boundaries.")
    page = member_client.get(url).content.decode()
    assert "Closed" in page and "Spoke to Bob" not in page
    assert TEXT in page  # their own words, as they sent them
    assert "Closed" in member_client.get(reverse("safety_reports:reports")).content.decode().title()


def test_a_report_is_its_reporters_alone(connection, member, supporter, supporter_client, coordinator_client):
    report = services.make_report(reporter=member, about=supporter, category=ReportCategory.OTHER, text=TEXT)
    url = reverse("safety_reports:report", kwargs={"pk": report.pk})
    assert supporter_client.get(url).status_code == 404  # the reported person learns nothing
    assert coordinator_client.get(url).status_code == 404  # coordinators read it in the console
    assert supporter_client.get(reverse("safety_reports:reports")).content.decode().count("/reports/") == 0


def test_the_first_coordinator_to_take_it_has_it(connection, member, supporter, coordinator):
    report = services.make_report(reporter=member, about=supporter, category=ReportCategory.OTHER, text=TEXT)
    services.take_report(report=report, coordinator=coordinator)
    with pytest.raises(ValidationError, match="already been taken"):
        services.take_report(report=report, coordinator=factories.coordinator())
    report.refresh_from_db()
    assert (report.status, report.handled_by) == (ReportStatus.IN_REVIEW, coordinator)


def test_closing_needs_an_outcome_note_and_happens_once(connection, member, supporter, coordinator):
    report = services.make_report(reporter=member, about=supporter, category=ReportCategory.OTHER, text=TEXT)
    with pytest.raises(ValidationError):
        services.close_report(report=report, coordinator=coordinator, outcome_note="  ")
    services.close_report(report=report, coordinator=coordinator, outcome_note="Dealt with.")
    report.refresh_from_db()
    assert report.status == ReportStatus.CLOSED and report.handled_by == coordinator and report.closed_at
    with pytest.raises(ValidationError, match="already closed"):
        services.close_report(report=report, coordinator=coordinator, outcome_note="Again.")


def test_the_queue_puts_open_reports_first_oldest_first(member, supporter, coordinator):
    made = []
    for minutes in (30, 20, 10):
        report = services.make_report(reporter=member, about=supporter, category="other", text=TEXT)
        Report.objects.filter(pk=report.pk).update(created_at=now() - dt.timedelta(minutes=minutes))
        made.append(report)
    made.append(services.make_report(reporter=member, about=supporter, category="other", text=TEXT))
    services.close_report(report=made[0], coordinator=coordinator, outcome_note="Done.")
    services.take_report(report=made[1], coordinator=coordinator)
    assert [r.pk for r in report_queue()] == [made[2].pk, made[3].pk, made[1].pk, made[0].pk]
    assert [r.pk for r in report_queue(status=ReportStatus.OPEN)] == [made[2].pk, made[3].pk]


def test_the_console_queue_take_and_close(connection, member, supporter, coordinator_client):
    report = services.make_report(reporter=member, about=supporter, category=ReportCategory.DISRESPECTFUL, text=TEXT)
    queue = coordinator_client.get(reverse("console:reports")).content.decode()
    assert f'data-report="{report.pk}" data-state="open"' in queue and "Alice" in queue and "Bob" in queue
    assert member.email not in queue and TEXT not in queue  # the text only on the report's own page
    detail = coordinator_client.get(reverse("console:report", kwargs={"pk": report.pk})).content.decode()
    assert TEXT in detail and "Take this report" in detail
    coordinator_client.post(reverse("console:report_take", kwargs={"pk": report.pk}))
    coordinator_client.post(reverse("console:report_close", kwargs={"pk": report.pk}), {"outcome_note": "Talked."})
    report.refresh_from_db()
    assert report.status == ReportStatus.CLOSED and report.outcome_note == "Talked."


def test_the_text_and_the_note_are_encrypted_at_rest(connection, member, supporter, coordinator):
    report = services.make_report(reporter=member, about=supporter, category=ReportCategory.OTHER, text=TEXT)
    services.close_report(report=report, coordinator=coordinator, outcome_note="A private note.")
    with db.cursor() as cursor:
        cursor.execute("SELECT text, outcome_note FROM safety_report WHERE id = %s", [report.pk])
        text, note = cursor.fetchone()
    assert TEXT not in text and "private note" not in note


def test_after_talk_now_ends_the_member_can_still_report_from_the_close(member, supporter, member_client):
    req = TalkNowRequest.objects.create(member=member, medium="chat", next_step_at=now() + dt.timedelta(minutes=3))
    talknow_services.accept(offer=TalkNowOffer.objects.create(request=req, supporter=supporter), supporter=supporter)
    req.refresh_from_db()
    talknow_services.end(req=req, user=supporter)
    url = reverse("safety_reports:report_thread", kwargs={"pk": req.thread_id})
    assert f'href="{url}"' in member_client.get(reverse("talknow:closed", kwargs={"pk": req.pk})).content.decode()
    _report(member_client, url)
    assert Report.objects.get().about == supporter
