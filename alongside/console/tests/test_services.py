import pytest
from django.core.exceptions import ValidationError

from alongside.audit.models import AuditEvent
from alongside.console.services import set_account_active
from tests import factories

pytestmark = pytest.mark.django_db


def test_it_deactivates_an_account_and_records_it_in_their_access_log(coordinator, member):
    assert set_account_active(actor=coordinator, user=member, active=False) is True
    member.refresh_from_db()
    assert member.is_active is False
    event = AuditEvent.objects.get(action="accounts.user.deactivated")
    assert (event.actor_id, event.subject_id, event.target_id) == (coordinator.pk, member.pk, str(member.pk))
    assert member.email not in str(event.details)


def test_deactivating_twice_changes_nothing_the_second_time(coordinator, member):
    set_account_active(actor=coordinator, user=member, active=False)
    assert set_account_active(actor=coordinator, user=member, active=False) is False
    assert AuditEvent.objects.filter(action="accounts.user.deactivated").count() == 1


def test_it_reactivates_an_account(coordinator, member):
    set_account_active(actor=coordinator, user=member, active=False)
    assert set_account_active(actor=coordinator, user=member, active=True) is True
    member.refresh_from_db()
    assert member.is_active
    assert AuditEvent.objects.filter(action="accounts.user.reactivated", subject_id=member.pk).exists()


def test_a_coordinator_cannot_deactivate_themselves(coordinator):
    with pytest.raises(ValidationError):
        set_account_active(actor=coordinator, user=coordinator, active=False)
    coordinator.refresh_from_db()
    assert coordinator.is_active
    assert not AuditEvent.objects.filter(action="accounts.user.deactivated").exists()


def test_a_server_administrators_account_is_left_to_the_server(coordinator):
    admin = factories.member(is_superuser=True, is_staff=True, mfa=False)
    with pytest.raises(ValidationError):
        set_account_active(actor=coordinator, user=admin, active=False)
    admin.refresh_from_db()
    assert admin.is_active
