import time
from types import SimpleNamespace

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal import auth as totp_auth
from django.core.exceptions import ValidationError
from django.test import Client

from alongside.accounts.services import set_role
from alongside.audit.models import AuditEvent
from alongside.notifications.models import Notification
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("role", ["supporter", "coordinator"])
def test_staff_roles_must_enrol_mfa_before_any_page_opens(role):
    user = factories._make(**{f"is_{role}": True}, mfa=False)
    client = Client()
    client.post("/accounts/login/", {"login": user.email, "password": factories.PASSWORD})
    for path in ["/library/", "/profile/", "/console/", "/notifications/"]:
        response = client.get(path)
        assert response.status_code == 302, path
        assert response.url == "/accounts/2fa/totp/activate/", path
    # allauth asks for the password again before a second factor is added.
    assert client.get("/accounts/2fa/totp/activate/").url.startswith("/accounts/reauthenticate/")
    client.post("/accounts/reauthenticate/", {"password": factories.PASSWORD})
    assert client.get("/accounts/2fa/totp/activate/").status_code == 200


def test_members_do_not_need_mfa(member_client):
    assert member_client.get("/library/").status_code == 200


def test_staff_sessions_end_after_30_idle_minutes(supporter_client, member_client, settings):
    supporter_client.get("/library/")
    assert supporter_client.session.get_expiry_age() == settings.ALONGSIDE_STAFF_IDLE_SECONDS == 1800
    member_client.get("/library/")
    assert member_client.session.get_expiry_age() == settings.SESSION_COOKIE_AGE


def test_totp_secrets_are_encrypted_at_rest(supporter):
    stored = Authenticator.objects.get(user=supporter, type=Authenticator.Type.TOTP).data["secret"]
    assert stored.startswith("enc1:")
    assert supporter.totp_secret not in stored


def test_granting_a_role_is_audited_and_notified(coordinator, member):
    assert set_role(actor=coordinator, user=member, role="supporter", granted=True)
    member.refresh_from_db()
    assert member.is_supporter
    event = AuditEvent.objects.get(action="accounts.role.granted")
    assert event.actor_id == coordinator.pk and event.subject_id == member.pk and event.details == {"role": "supporter"}
    assert Notification.objects.filter(user=member, kind="role_granted").exists()
    assert not set_role(actor=coordinator, user=member, role="supporter", granted=True)  # no change, no event
    assert AuditEvent.objects.filter(action="accounts.role.granted").count() == 1


def test_a_coordinator_cannot_remove_their_own_coordinator_role(coordinator):
    with pytest.raises(ValidationError):
        set_role(actor=coordinator, user=coordinator, role="coordinator", granted=False)


def test_denied_pages_are_audited(member_client, member):
    assert member_client.get("/console/").status_code == 403
    event = AuditEvent.objects.get(action="access.coordinator_area")
    assert event.outcome == "denied" and event.actor_id == member.pk


def test_audit_events_cannot_be_changed_or_deleted(member):
    event = AuditEvent.objects.create(action="test.event")
    event.action = "changed"
    with pytest.raises(ValueError, match="immutable"):
        event.save()
    with pytest.raises(ValueError, match="immutable"):
        event.delete()


def test_the_admin_is_reached_only_through_allauth_sign_in(client):
    response = client.get("/admin/")
    assert response.status_code == 302
    follow = client.get(response.url)
    assert follow.status_code == 302 and follow.url.startswith("/accounts/login/")


def test_the_admin_refuses_a_superuser_without_mfa():
    superuser = factories._make(is_superuser=True, is_staff=True, mfa=False)
    client = Client()
    client.force_login(superuser)
    # The role middleware sends them to enrol MFA first.
    assert client.get("/admin/").url == "/accounts/2fa/totp/activate/"
    admin = factories._make(is_superuser=True, is_staff=True)
    client.force_login(admin)
    assert client.get("/admin/").status_code == 200


PERIOD = 30  # allauth's TOTP step, in seconds


@pytest.fixture
def step(monkeypatch: pytest.MonkeyPatch) -> int:
    """The current TOTP step, held still for the test: a step turning mid-test would move every code by one."""
    now = (int(time.time()) // PERIOD) * PERIOD + PERIOD // 2
    monkeypatch.setattr(totp_auth, "time", SimpleNamespace(time=lambda: now))
    return now // PERIOD


def _code(secret: str, counter: int) -> str:
    return totp_auth.format_hotp_value(totp_auth.hotp_value(secret, counter))


def _sign_in_with_code(user, code: str):  # type: ignore[no-untyped-def]
    client = Client()
    response = client.post("/accounts/login/", {"login": user.email, "password": factories.PASSWORD})
    assert response.url == "/accounts/2fa/authenticate/"
    return client, client.post("/accounts/2fa/authenticate/", {"code": code})


def test_a_code_typed_as_it_changes_still_signs_in_but_not_twice_and_not_an_older_one(supporter, step):
    previous, older = _code(supporter.totp_secret, step - 1), _code(supporter.totp_secret, step - 3)
    client, response = _sign_in_with_code(supporter, previous)
    assert response.status_code == 302 and client.get("/").context["user"] == supporter
    _again, replayed = _sign_in_with_code(supporter, previous)
    assert replayed.status_code == 200 and replayed.context["form"].errors
    _old, refused = _sign_in_with_code(supporter, older)
    assert refused.status_code == 200 and refused.context["form"].errors
