"""The applicant's pages, the referee's private form and a supporter's training page, through the views."""

import datetime as dt

import pytest

from alongside.audit.models import AuditEvent, Outcome
from alongside.supporters import applications
from alongside.supporters.models import Application, ApplicationStatus, Referee, TrainingModule, TrainingRecord

pytestmark = pytest.mark.django_db

APPLY = "/supporter/apply/"


def application_data(**overrides):
    data = {
        "full_name": "Dr Casey Rowe",
        "registration_number": "MED0001234567",
        "career_stage": "registrar",
        "specialty": "",
        "motivation": "Someone listened to me once.",
        "hours_per_month": "6",
        "referee1_name": "Dr Ada Lane",
        "referee1_email": "ada@example.org",
        "referee1_relationship": "supervising consultant",
        "referee2_name": "Dr Ben Ito",
        "referee2_email": "ben@example.org",
        "referee2_relationship": "director of training",
        "windows-TOTAL_FORMS": "1",
        "windows-INITIAL_FORMS": "0",
        "windows-MIN_NUM_FORMS": "0",
        "windows-MAX_NUM_FORMS": "21",
        "windows-0-day": "2",
        "windows-0-start": "18:00",
        "windows-0-end": "20:00",
    }
    data.update(overrides)
    return data


def test_a_member_applies_and_then_sees_what_happens_next(member_client, member):
    response = member_client.post(APPLY, application_data(), follow=True)
    assert response.status_code == 200
    application = Application.objects.get(user=member)
    assert application.status == ApplicationStatus.APPLIED
    assert application.availability == [{"day": 2, "start": "18:00", "end": "20:00"}]
    assert application.referees.count() == 2
    page = member_client.get(APPLY).content.decode()
    assert "What happens next" in page and "public register" in page


def test_a_wrong_registration_number_saves_nothing_and_says_the_format(member_client, member):
    response = member_client.post(APPLY, application_data(registration_number="1234"))
    assert response.status_code == 200
    assert "three letters and ten digits" in response.content.decode()
    assert not Application.objects.filter(user=member).exists()
    assert not Referee.objects.exists()


def test_withdrawing_lets_the_person_apply_again(member_client, member):
    member_client.post(APPLY, application_data())
    member_client.post("/supporter/apply/withdraw/")
    assert Application.objects.get(user=member).status == ApplicationStatus.WITHDRAWN
    assert "Send my application" in member_client.get(APPLY).content.decode()


def _token(member):
    made = applications.submit_application(
        user=member,
        full_name="Dr Casey Rowe",
        registration_number="MED0001234567",
        career_stage="registrar",
        motivation="To give back.",
        referees=[
            applications.RefereeIn("Dr Ada Lane", "ada@example.org", "consultant"),
            applications.RefereeIn("Dr Ben Ito", "ben@example.org", "director of training"),
        ],
    )
    return applications.send_referee_forms(application=made)[0].split("/referee/", 1)[1]


def test_a_referee_answers_once_and_a_second_visit_says_so(client, member):
    token = _token(member)
    page = client.get(f"/referee/{token}").content.decode()
    assert "Dr Casey Rowe" in page
    response = client.post(f"/referee/{token}", {"recommends": "yes", "answer": "Calm and kind."})
    assert "Thank you" in response.content.decode()
    again = client.get(f"/referee/{token}")
    assert again.status_code == 200 and "already sent" in again.content.decode()
    assert Referee.objects.filter(submitted_at__isnull=False).count() == 1


def test_an_expired_or_unknown_referee_link_gets_a_clear_answer(client, member):
    token = _token(member)
    Referee.objects.update(expires_at=dt.datetime(2020, 1, 1, tzinfo=dt.UTC))
    expired = client.get(f"/referee/{token}")
    assert expired.status_code == 410 and "expired" in expired.content.decode()
    assert client.post(f"/referee/{token}", {"recommends": "yes", "answer": "x"}).status_code == 410
    assert client.get("/referee/0123456789abcdefnotatoken/").status_code == 404
    assert AuditEvent.objects.filter(action="supporters.referee.open", outcome=Outcome.DENIED).exists()


def test_a_supporter_records_training_which_then_waits_for_a_coordinator(supporter_client, supporter):
    module = TrainingModule.objects.create(title="Telephone peer support", required=True, renewal_months=12)
    page = supporter_client.get("/supporter/training/").content.decode()
    assert "Telephone peer support" in page and "Not done yet" in page
    future = (dt.date.today() + dt.timedelta(days=3)).isoformat()
    supporter_client.post("/supporter/training/", {"module": module.pk, "completed_on": future})
    assert not TrainingRecord.objects.exists()
    supporter_client.post("/supporter/training/", {"module": module.pk, "completed_on": "2026-11-01"})
    assert "Waiting for a coordinator" in supporter_client.get("/supporter/training/").content.decode()
