"""Coordinators take an application from applied to active in the console, and run training: add a module,
confirm a completion (which lifts a training pause)."""

import datetime as dt

import pytest

from alongside.audit.models import AuditEvent
from alongside.supporters import applications, training
from alongside.supporters.models import (
    Application,
    ApplicationStatus,
    SupporterProfile,
    SupporterStatus,
    TrainingModule,
    TrainingRecord,
)
from alongside.supporters.tasks import check_training
from tests import factories

pytestmark = pytest.mark.django_db


def _application(person):
    return applications.submit_application(
        user=person,
        full_name="Dr Casey Rowe",
        registration_number="MED0001234567",
        career_stage="registrar",
        motivation="Someone listened to me once.",
        referees=[
            applications.RefereeIn("Dr Ada Lane", "ada@example.org", "consultant"),
            applications.RefereeIn("Dr Ben Ito", "ben@example.org", "director of training"),
        ],
    )


def test_a_coordinator_takes_an_application_to_active(
    coordinator_client, coordinator, mailoutbox, django_capture_on_commit_callbacks
):
    person = factories.member()
    application = _application(person)
    listing = coordinator_client.get("/console/applications/").content.decode()
    assert person.display_name in listing and "Not checked yet" in listing
    detail = coordinator_client.get(f"/console/applications/{application.pk}/").content.decode()
    assert "MED0001234567" in detail and "Dr Ada Lane" in detail
    assert AuditEvent.objects.filter(action="identity.application", subject_id=person.pk).exists()
    refused = coordinator_client.post(
        f"/console/applications/{application.pk}/move/", {"to": "references"}, follow=True
    ).content.decode()
    assert "public register first" in refused
    coordinator_client.post(f"/console/applications/{application.pk}/checked/")
    coordinator_client.post(f"/console/applications/{application.pk}/move/", {"to": "references"})
    with django_capture_on_commit_callbacks(execute=True):
        coordinator_client.post(f"/console/applications/{application.pk}/referees/")
    assert len(mailoutbox) == 2
    assert all("Dr Casey Rowe" not in m.body for m in mailoutbox)  # the link only: the name is on the page
    for referee in application.referees.all():
        referee.submitted_at, referee.recommends, referee.answer = dt.datetime.now(dt.UTC), True, "Kind."
        referee.save()
    for step in ("interview", "training", "active"):
        coordinator_client.post(f"/console/applications/{application.pk}/move/", {"to": step})
    person.refresh_from_db()
    assert Application.objects.get(pk=application.pk).status == ApplicationStatus.ACTIVE
    assert person.is_supporter
    assert SupporterProfile.objects.get(user=person).status == SupporterStatus.ACTIVE


def test_an_unknown_step_is_refused_plainly(coordinator_client):
    application = _application(factories.member())
    page = coordinator_client.post(
        f"/console/applications/{application.pk}/move/", {"to": "promoted"}, follow=True
    ).content.decode()
    assert "Choose a step" in page
    assert Application.objects.get(pk=application.pk).status == ApplicationStatus.APPLIED


def test_training_expiry_pauses_with_a_moved_clock_and_confirming_lifts_it(coordinator_client, coordinator):
    person = factories.supporter()
    SupporterProfile.objects.create(user=person)
    coordinator_client.post(
        "/console/training/", {"title": "Crisis support", "required": "on", "renewal_months": "12", "materials_url": ""}
    )
    module = TrainingModule.objects.get(title="Crisis support")
    row = training.record_completion(user=person, module=module, completed_on=dt.date(2024, 1, 1))
    coordinator_client.post(f"/console/training/records/{row.pk}/confirm/")
    check_training.call_local()  # today is long after its expiry (2025-01-01)
    profile = SupporterProfile.objects.get(user=person)
    assert (profile.status, profile.paused_for) == (SupporterStatus.PAUSED, "training")
    renewed = training.record_completion(user=person, module=module, completed_on=dt.date.today())
    assert "Crisis support" in coordinator_client.get("/console/training/").content.decode()
    coordinator_client.post(f"/console/training/records/{renewed.pk}/confirm/")
    assert SupporterProfile.objects.get(user=person).status == SupporterStatus.ACTIVE
    assert TrainingRecord.objects.get(pk=renewed.pk).confirmed_by == coordinator


def test_a_module_with_a_silly_renewal_is_refused(coordinator_client):
    page = coordinator_client.post(
        "/console/training/", {"title": "Crisis support", "renewal_months": "0", "materials_url": ""}
    ).content.decode()
    assert "between 1 and 120" in page
    assert not TrainingModule.objects.exists()
