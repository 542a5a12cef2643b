"""The audit viewer: filters by actor, action, target and time; the chain verified from the screen, and a broken
link named."""

import pytest
from django.db import connection

from alongside.audit.chain import seal
from alongside.audit.models import AuditEvent
from alongside.audit.services import record
from tests import factories

pytestmark = pytest.mark.django_db

URL = "/console/audit/"


def test_filters_narrow_the_events(coordinator_client, coordinator):
    person = factories.member(display_name="Robin")
    record("safety.concern.raised", actor=person, target_type="safety.concern", target_id=7)
    record("roster.shift.created", actor=coordinator, target_type="roster.shift", target_id=3)
    page = coordinator_client.get(URL, {"actor": "robin"}).content.decode()
    assert "safety.concern.raised" in page and "roster.shift.created" not in page
    assert "Robin (" in page
    page = coordinator_client.get(URL, {"action": "roster.", "target_type": "roster.shift", "target_id": "3"}).content
    assert b"roster.shift.created" in page and b"safety.concern.raised" not in page
    assert AuditEvent.objects.filter(action="console.audit.viewed", actor_id=coordinator.pk).exists()


def test_bad_filters_get_a_clear_answer(coordinator_client):
    unknown = coordinator_client.get(URL, {"actor": "Nobody Here"})
    assert unknown.status_code == 400 and "Nobody is called" in unknown.content.decode()
    reversed_ = coordinator_client.get(URL, {"since": "2026-06-30", "until": "2026-06-01"})
    assert reversed_.status_code == 400 and "swap them round" in reversed_.content.decode()


def test_the_chain_is_verified_from_the_screen_and_a_changed_event_is_found(coordinator_client):
    record("roster.shift.created", target_type="roster.shift", target_id=1)
    seal()
    page = coordinator_client.post(URL + "verify/").content.decode()
    assert "Intact." in page
    victim = AuditEvent.objects.filter(seq__isnull=False).order_by("seq").first()
    with connection.cursor() as cursor:  # a tamperer going round the model's refusal
        cursor.execute(f"UPDATE {AuditEvent._meta.db_table} SET action = 'x.y' WHERE id = %s", [victim.pk])
    page = coordinator_client.post(URL + "verify/").content.decode()
    assert "Broken" in page and "changed after it was written" in page
