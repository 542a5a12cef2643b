"""Becoming a supporter and staying current: the application's steps, the referees' private links, and training
whose expiry pauses offers and shifts (with the clock moved by passing the day) and lifts once it is current."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from alongside.audit.models import AuditEvent
from alongside.notifications.models import Kind, Notification
from alongside.roster.selectors import available_ids
from alongside.supporters import applications, training
from alongside.supporters.applications import RefereeIn
from alongside.supporters.models import ApplicationStatus, SupporterProfile, SupporterStatus, TrainingModule
from tests import factories

pytestmark = pytest.mark.django_db

REFEREES = [
    RefereeIn(name="Dr Ada Lane", email="ada@example.org", relationship="supervising consultant"),
    RefereeIn(name="Dr Ben Ito", email="ben@example.org", relationship="director of training"),
]


def _apply(person, **kwargs):
    values = {
        "user": person,
        "full_name": "Dr Casey Rowe",
        "registration_number": "med 000 1234567",
        "career_stage": "registrar",
        "motivation": "I was helped once.",
        "referees": REFEREES,
    }
    values.update(kwargs)
    return applications.submit_application(**values)


def test_a_registration_number_in_the_wrong_format_is_refused_with_the_format():
    with pytest.raises(ValidationError, match="three letters and ten digits"):
        _apply(factories.member(), registration_number="12345")
    application = _apply(factories.member())
    assert application.registration_number == "MED0001234567"


def test_one_open_application_and_two_different_referees():
    person = factories.member()
    with pytest.raises(ValidationError, match="different"):
        _apply(person, referees=[REFEREES[0], REFEREES[0]])
    _apply(person)
    with pytest.raises(ValidationError, match="already"):
        _apply(person)


def test_the_steps_in_order_end_with_a_supporter_who_has_a_profile():
    coordinator, person = factories.coordinator(), factories.member()
    application = _apply(person)
    with pytest.raises(ValidationError, match="public register"):
        applications.move_application(application=application, to=ApplicationStatus.REFERENCES, by=coordinator)
    applications.record_registration_checked(application=application, by=coordinator)
    applications.move_application(application=application, to=ApplicationStatus.REFERENCES, by=coordinator)
    links = applications.send_referee_forms(application=application)
    assert len(links) == 2
    with pytest.raises(ValidationError, match="referees need to answer"):
        applications.move_application(application=application, to=ApplicationStatus.INTERVIEW, by=coordinator)
    for link in links:
        referee = applications.referee_for_token(link.rstrip("/").rsplit("/", 1)[1])
        assert referee is not None
        applications.submit_reference(referee=referee, recommends=True, answer="Kind and careful.")
        with pytest.raises(ValidationError, match="already answered"):
            applications.submit_reference(referee=referee, recommends=True, answer="Again.")
    with pytest.raises(ValidationError, match="can't move"):
        applications.move_application(application=application, to=ApplicationStatus.ACTIVE, by=coordinator)
    for step in (ApplicationStatus.INTERVIEW, ApplicationStatus.TRAINING, ApplicationStatus.ACTIVE):
        applications.move_application(application=application, to=step, by=coordinator)
    person.refresh_from_db()
    assert person.is_supporter
    assert SupporterProfile.objects.get(user=person).status == SupporterStatus.ACTIVE
    assert Notification.objects.filter(user=person, kind=Kind.APPLICATION_STEP).count() == 4
    moved = AuditEvent.objects.filter(action="supporters.application.moved", target_id=str(application.pk))
    assert moved.count() == 4


def test_a_wrong_or_unknown_referee_token_opens_nothing():
    application = _apply(factories.member())
    link = applications.send_referee_forms(application=application)[0]
    token = link.rstrip("/").rsplit("/", 1)[1]
    assert applications.referee_for_token(token[:-1] + ("A" if token[-1] != "A" else "B")) is None
    assert applications.referee_for_token("nothing") is None
    applications.send_referee_forms(application=application)  # a fresh link replaces the old one
    assert applications.referee_for_token(token) is None


def test_an_expired_required_module_pauses_offers_and_shifts_and_current_training_lifts_it():
    coordinator, person = factories.coordinator(), factories.supporter()
    factories.shift(primary=[person])
    module = TrainingModule.objects.create(title="Crisis support", required=True, renewal_months=12)
    TrainingModule.objects.create(title="Optional reading", required=False)
    today = dt.date(2026, 12, 4)
    row = training.record_completion(user=person, module=module, completed_on=dt.date(2025, 12, 1))
    training.confirm_completion(record_row=row, by=coordinator)
    row.refresh_from_db()
    assert row.expires_on == dt.date(2026, 12, 1)
    assert person.pk in available_ids()
    assert training.pause_out_of_date(today=today) == 1
    assert training.pause_out_of_date(today=today) == 0  # once
    profile = SupporterProfile.objects.get(user=person)
    assert (profile.status, profile.paused_for) == (SupporterStatus.PAUSED, "training")
    assert person.pk not in available_ids()
    assert Notification.objects.filter(user=person, kind=Kind.TRAINING_PAUSED).count() == 1
    renewed = training.record_completion(user=person, module=module, completed_on=dt.date(2026, 12, 3))
    assert SupporterProfile.objects.get(user=person).status == SupporterStatus.PAUSED  # not until confirmed
    training.confirm_completion(record_row=renewed, by=coordinator)
    assert SupporterProfile.objects.get(user=person).status == SupporterStatus.ACTIVE
    assert person.pk in available_ids()


def test_a_coordinators_pause_is_not_lifted_by_training():
    coordinator, person = factories.coordinator(), factories.supporter()
    module = TrainingModule.objects.create(title="Crisis support", required=True)
    SupporterProfile.objects.create(user=person, status=SupporterStatus.PAUSED)
    row = training.record_completion(user=person, module=module, completed_on=dt.date(2026, 1, 1))
    training.confirm_completion(record_row=row, by=coordinator)
    assert SupporterProfile.objects.get(user=person).status == SupporterStatus.PAUSED


def test_reminders_go_once_thirty_days_before_expiry():
    coordinator, person = factories.coordinator(), factories.supporter()
    module = TrainingModule.objects.create(title="Crisis support", required=True, renewal_months=12)
    row = training.record_completion(user=person, module=module, completed_on=dt.date(2025, 12, 20))
    training.confirm_completion(record_row=row, by=coordinator)
    assert training.remind_expiring(today=dt.date(2026, 11, 1)) == 0
    assert training.remind_expiring(today=dt.date(2026, 11, 25)) == 1
    assert training.remind_expiring(today=dt.date(2026, 11, 26)) == 0
    assert training.add_months(dt.date(2026, 1, 31), 1) == dt.date(2026, 2, 28)


def test_an_applicant_records_training_at_the_training_step_and_is_made_active_only_once_it_is_confirmed(client):
    coordinator, person = factories.coordinator(), factories.member()
    module = TrainingModule.objects.create(title="Telephone peer support", required=True)
    application = _apply(person)
    Application = type(application)
    Application.objects.filter(pk=application.pk).update(status=ApplicationStatus.TRAINING)
    application.refresh_from_db()
    client.force_login(person)
    assert client.get("/supporter/training/").status_code == 200
    client.post("/supporter/training/", {"module": module.pk, "completed_on": "2026-11-30"})
    with pytest.raises(ValidationError, match="Telephone peer support"):
        applications.move_application(application=application, to=ApplicationStatus.ACTIVE, by=coordinator)
    training.confirm_completion(record_row=module.records.get(user=person), by=coordinator)
    applications.move_application(application=application, to=ApplicationStatus.ACTIVE, by=coordinator)
    person.refresh_from_db()
    assert person.is_supporter
