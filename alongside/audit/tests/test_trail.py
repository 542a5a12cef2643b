"""What the audit trail promises: append-only, every denial recorded, and no personal data in any event."""

from __future__ import annotations

import json

import pytest
from django.test import Client, RequestFactory
from django.urls import reverse

from alongside.accounts.services import set_role
from alongside.audit.models import AuditEvent, Outcome
from alongside.audit.services import hash_ip, record
from alongside.connections import services as connection_services
from alongside.connections.tests import factories as cf
from tests import factories

pytestmark = pytest.mark.django_db

IP = "203.0.113.9"


def _request(user, path: str = "/somewhere/"):  # type: ignore[no-untyped-def]
    request = RequestFactory().post(path, REMOTE_ADDR=IP)
    request.user = user
    return request


def _everything_stored() -> str:
    """Every field of every event, as one text to search."""
    rows = AuditEvent.objects.order_by("id").values()
    return json.dumps([{k: str(v) for k, v in row.items()} for row in rows])


def test_an_event_cannot_be_changed_or_deleted(member):
    event = record("tests.something", actor=member)
    event.action = "tests.something_else"
    with pytest.raises(ValueError, match="immutable"):
        event.save()
    with pytest.raises(ValueError, match="immutable"):
        event.delete()
    assert AuditEvent.objects.get().action == "tests.something"


def test_no_query_changes_or_deletes_events_in_bulk(member):
    record("tests.something", actor=member)
    with pytest.raises(ValueError, match="immutable"):
        AuditEvent.objects.filter(actor_id=member.pk).update(action="tests.rewritten")
    with pytest.raises(ValueError, match="immutable"):
        AuditEvent.objects.all().delete()
    assert list(AuditEvent.objects.values_list("action", flat=True)) == ["tests.something"]


def test_an_outsider_gets_a_404_and_leaves_a_denial(member, outsider, outsider_client):
    support_request = cf.support_request(member)
    response = outsider_client.get(reverse("connections:request_detail", args=[support_request.pk]))
    assert response.status_code == 404
    event = AuditEvent.objects.get(outcome=Outcome.DENIED)
    assert (event.action, event.actor_id, event.target_type, event.target_id) == (
        "connections.request.view",
        outsider.pk,
        "connections.supportrequest",
        str(support_request.pk),
    )
    assert event.details == {"path": f"/support/ongoing/{support_request.pk}/", "method": "GET"}


def test_a_person_without_the_role_gets_a_403_and_leaves_a_denial(member, member_client):
    assert member_client.get(reverse("console:index")).status_code == 403
    event = AuditEvent.objects.get(outcome=Outcome.DENIED)
    assert (event.action, event.actor_id) == ("access.coordinator_area", member.pk)


def test_a_failed_sign_in_keeps_neither_the_address_tried_nor_the_password():
    factories.member(email="someone@example.org")
    Client().post(reverse("account_login"), {"login": "someone@example.org", "password": "not-the-password"})
    event = AuditEvent.objects.get(action="accounts.signin")
    assert event.outcome == Outcome.FAILED and event.actor_id is None
    stored = _everything_stored()
    assert "someone@example.org" not in stored and "not-the-password" not in stored


def test_the_address_is_kept_only_as_a_keyed_hash(member):
    event = record("tests.something", actor=member, request=_request(member))
    assert event.ip_hash == hash_ip(IP) and len(event.ip_hash) == 64
    assert hash_ip(IP) != hash_ip("203.0.113.10")
    assert IP not in _everything_stored()


def test_events_of_a_journey_hold_no_names_emails_free_text_or_addresses(member, supporter, coordinator):
    connection = cf.connection(member, supporter)
    set_role(actor=coordinator, user=member, role="supporter", granted=True, request=_request(coordinator))
    set_role(actor=coordinator, user=member, role="supporter", granted=False, request=_request(coordinator))
    reason = "We argued about the night roster at St Elsewhere"
    connection_services.close_connection(
        connection=connection, actor=supporter, reason=reason, request=_request(supporter)
    )
    Client().get(f"/support/ongoing/{connection.request_id}/", REMOTE_ADDR=IP)
    stored = _everything_stored()
    assert AuditEvent.objects.count() >= 3
    for person in (member, supporter, coordinator):
        assert person.email not in stored
        assert person.display_name not in stored
    assert reason not in stored and "St Elsewhere" not in stored
    assert IP not in stored
