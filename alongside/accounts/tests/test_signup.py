import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail

from alongside.accounts.models import User
from alongside.audit.models import AuditEvent

pytestmark = pytest.mark.django_db


def _signup(client, django_capture_on_commit_callbacks, email="new.doctor@example.org"):
    with django_capture_on_commit_callbacks(execute=True):
        return client.post(
            "/accounts/signup/",
            {"email": email, "password1": "a long passphrase 42", "password2": "a long passphrase 42"},
        )


def test_sign_up_sends_a_verification_email_through_the_task_queue(client, django_capture_on_commit_callbacks):
    response = _signup(client, django_capture_on_commit_callbacks)
    assert response.status_code == 302
    assert User.objects.filter(email="new.doctor@example.org").exists()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["new.doctor@example.org"]
    assert "/accounts/confirm-email/" in message.body


def test_verifying_the_email_leads_to_profile_setup(client, django_capture_on_commit_callbacks):
    _signup(client, django_capture_on_commit_callbacks)
    link = re.search(r"https?://[^/\s]+(/accounts/confirm-email/\S+)", mail.outbox[0].body).group(1)
    assert client.get(link).status_code == 200
    response = client.post(link)
    assert EmailAddress.objects.get(email="new.doctor@example.org").verified
    # Signed in on confirmation; every page now leads to the profile form first.
    assert client.get("/library/").url.startswith("/profile/setup/")
    assert response.status_code == 302


def test_an_unverified_account_cannot_sign_in(client, django_capture_on_commit_callbacks):
    _signup(client, django_capture_on_commit_callbacks)
    client.logout()
    response = client.post("/accounts/login/", {"login": "new.doctor@example.org", "password": "a long passphrase 42"})
    assert response.status_code == 302 and "confirm-email" in response.url
    assert client.get("/profile/").status_code == 302  # the library is public now; the profile is not


def test_a_failed_sign_in_is_audited_without_the_address(client, member):
    client.post("/accounts/login/", {"login": member.email, "password": "wrong password"})
    event = AuditEvent.objects.get(action="accounts.signin", outcome="failed")
    assert member.email not in str(event.details)
    assert event.ip_hash and event.ip_hash != "127.0.0.1"


def test_sign_in_and_sign_out_are_audited(client, member):
    client.post("/accounts/login/", {"login": member.email, "password": "correct horse battery staple"})
    client.post("/accounts/logout/")
    actions = list(AuditEvent.objects.filter(actor_id=member.pk).values_list("action", flat=True))
    assert "accounts.signin" in actions and "accounts.signout" in actions


def test_oversized_sign_up_input_is_refused(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/accounts/signup/",
            {
                "email": "x" * 10_000 + "@example.org",
                "password1": "a long passphrase 42",
                "password2": "a long passphrase 42",
            },
        )
    assert response.status_code == 200
    assert User.objects.count() == 0
    assert not mail.outbox
