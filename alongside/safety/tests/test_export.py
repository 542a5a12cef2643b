"""Export my data: everything held about the person, as JSON and as a readable page, and nothing about anyone else."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.test import Client

from alongside.audit.models import AuditEvent
from alongside.audit.services import record_identity_access
from alongside.connections.tests import factories as connection_factories
from alongside.conversations.services import get_or_create_thread_for_connection, post_message
from alongside.meetings.calendar import reset_feed
from alongside.phoneline.services import set_own_number
from alongside.roster.models import ContactFormat
from alongside.roster.services import end_contact, open_contact
from alongside.safety.models import Level, Source
from alongside.safety.privacy import export_data
from alongside.safety.services import raise_concern
from alongside.supporters import applications
from alongside.supporters.models import Referee, TrainingModule, TrainingRecord
from tests import factories

pytestmark = pytest.mark.django_db

JSON_URL = "/profile/export/"
PAGE_URL = "/profile/export/page/"


def _signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def story() -> dict[str, Any]:
    """Alice (a member) and Bob (her supporter), each with a real name, an email and words of their own."""
    alice = factories.member(display_name="Alice", email="alice-canary@example.org")
    bob = factories.supporter(display_name="Bob", email="bob-canary@example.org")
    for person, real in ((alice, "ALICE-REAL-NAME"), (bob, "BOB-REAL-NAME")):
        person.profile.real_name = real
        person.profile.save()
    set_own_number(user=alice, number="0412 345 678")
    set_own_number(user=bob, number="0498 765 432")
    connection = connection_factories.connection(alice, bob)
    thread = get_or_create_thread_for_connection(connection=connection)
    post_message(thread_id=thread.pk, sender_id=alice.pk, client_key="a1", body="ALICE-WORDS-CANARY")
    post_message(thread_id=thread.pk, sender_id=bob.pk, client_key="b1", body="BOB-WORDS-CANARY")
    return {"alice": alice, "bob": bob, "connection": connection, "thread": thread}


BOBS = ("bob-canary@example.org", "BOB-REAL-NAME", "BOB-WORDS-CANARY", "+61498765432")
ALICES = ("alice-canary@example.org", "ALICE-REAL-NAME", "ALICE-WORDS-CANARY", "+61412345678")


def test_the_json_holds_the_members_own_data(story):
    response = _signed_in(story["alice"]).get(JSON_URL)
    assert response["Content-Disposition"] == 'attachment; filename="alongside-my-data.json"'
    assert "no-store" in response["Cache-Control"]
    data = response.json()
    assert data["account"]["email"] == "alice-canary@example.org"
    assert data["profile"]["real_name"] == "ALICE-REAL-NAME"
    assert data["own_phone_number"] == "+61412345678"
    assert [m["text"] for m in data["messages_you_wrote"]] == ["ALICE-WORDS-CANARY"]
    assert data["connections"][0]["peer"] == "Bob" and data["connections"][0]["you_were"] == "member"
    assert len(data["support_requests"]) == 1


def test_the_json_names_the_peer_by_display_name_only_and_holds_none_of_their_words(story):
    body = _signed_in(story["alice"]).get(JSON_URL).content.decode()
    for canary in BOBS:
        assert canary not in body


def test_the_readable_page_holds_the_same_and_nothing_about_the_peer(story):
    response = _signed_in(story["alice"]).get(PAGE_URL)
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    page = response.content.decode()
    for canary in ALICES:
        assert canary in page
    for canary in BOBS:
        assert canary not in page
    assert "Messages you wrote" in page and "Bob" in page
    assert '<time datetime="' in page  # times in the reader's own zone and words, as on every page


def test_a_supporters_export_has_their_shifts_and_contact_records_and_no_member_data(story):
    bob = story["bob"]
    factories.shift(primary=[bob])
    contact = open_contact(supporter_id=bob.pk, format=ContactFormat.TALKNOW_CHAT)
    end_contact(record_id=contact.pk)
    client = _signed_in(bob)
    data = client.get(JSON_URL).json()
    assert len(data["shifts"]) == 1
    assert data["contact_records_you_filed"][0]["format"] == "Talk now: chat"
    assert data["connections"][0] == data["connections"][0] | {"you_were": "supporter", "peer": "Alice"}
    assert [m["text"] for m in data["messages_you_wrote"]] == ["BOB-WORDS-CANARY"]
    for body in (client.get(JSON_URL).content.decode(), client.get(PAGE_URL).content.decode()):
        for canary in ALICES:
            assert canary not in body


def test_a_concern_about_the_member_shows_its_date_and_level_but_not_who_raised_it_nor_the_note(story):
    raise_concern(
        raised_by=story["bob"],
        level=Level.WORRIED,
        source=Source.THREAD,
        note="CONCERN-NOTE-CANARY",
        member=story["alice"],
    )
    data = _signed_in(story["alice"]).get(JSON_URL).json()
    assert [(c["level"], c["closed"]) for c in data["concerns_about_you"]] == [("Worried", None)]
    assert "CONCERN-NOTE-CANARY" not in str(data) and "Bob" not in str(data["concerns_about_you"])


def test_the_access_log_lists_each_look_at_identifying_details(story, coordinator):
    record_identity_access("viewed", actor=coordinator, subject=story["alice"], details={"field": "email"})
    data = _signed_in(story["alice"]).get(JSON_URL).json()
    assert [e["what"] for e in data["access_log"]] == ["identity.viewed"]


def test_each_export_is_audited(story):
    client = _signed_in(story["alice"])
    client.get(JSON_URL)
    client.get(PAGE_URL)
    events = AuditEvent.objects.filter(action="privacy.export", subject_id=story["alice"].pk).order_by("id")
    assert [e.details for e in events] == [{"form": "json"}, {"form": "page"}]


def test_the_profile_page_links_both_exports_and_deletion(member_client):
    page = member_client.get("/profile/").content.decode()
    assert f'href="{PAGE_URL}"' in page and f'href="{JSON_URL}"' in page and 'href="/profile/delete/"' in page


def test_the_calendar_feed_is_mentioned_without_its_secret_address(story):
    token = reset_feed(user=story["alice"])
    body = _signed_in(story["alice"]).get(JSON_URL).content.decode()
    assert '"calendar_feed": {' in body
    assert token not in body and token[:16] not in body


def test_an_applicants_export_holds_their_application_and_training_but_not_what_referees_said():
    person = factories.member()
    made = applications.submit_application(
        user=person,
        full_name="Dr Casey Rowe",
        registration_number="MED0001234567",
        career_stage="registrar",
        motivation="To give back.",
        referees=[
            applications.RefereeIn("Dr Ada Lane", "ada@example.org", "consultant"),
            applications.RefereeIn("Dr Ben Ito", "ben@example.org", "director of training"),
        ],
    )
    Referee.objects.filter(application=made).update(answer="canary-reference-words")
    module = TrainingModule.objects.create(title="Crisis support", required=True)
    TrainingRecord.objects.create(user=person, module=module, completed_on=dt.date(2026, 11, 1))
    data = export_data(user=person)
    assert data["applications_to_support"][0]["registration_number"] == "MED0001234567"
    assert [r["name"] for r in data["applications_to_support"][0]["referees"]] == ["Dr Ada Lane", "Dr Ben Ito"]
    assert data["training"][0]["module"] == "Crisis support"
    assert "canary-reference-words" not in json.dumps(data)
