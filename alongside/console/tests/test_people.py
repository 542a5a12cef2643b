import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils.dateformat import format as date_format
from django.utils.timezone import localtime

from alongside.accounts.models import User
from alongside.audit.models import AuditEvent
from alongside.lib import crypto
from alongside.notifications.models import Kind, Notification
from tests import factories

pytestmark = pytest.mark.django_db


def test_the_list_shows_display_names_roles_joined_dates_and_two_factor_but_no_emails(
    coordinator_client, member, supporter
):
    unenrolled = factories.supporter(display_name="Nadia", mfa=False)
    body = coordinator_client.get(reverse("console:people")).content.decode()
    for name in ("Alice", "Bob", "Carol", "Nadia"):
        assert name in body
    assert member.email not in body and supporter.email not in body
    assert date_format(localtime(member.date_joined), "j M Y") in body
    response = coordinator_client.get(reverse("console:people"))
    rows = {p.pk: p for p in response.context["page"].object_list}
    assert rows[supporter.pk].mfa_enrolled is True
    assert rows[unenrolled.pk].mfa_enrolled is False
    assert rows[member.pk].mfa_enrolled is False


def test_the_list_searches_by_display_name(coordinator_client, member, other_member):
    body = coordinator_client.get(reverse("console:people"), {"q": "ali"}).content.decode()
    assert "Alice" in body and "Olive" not in body


def test_the_list_does_not_search_by_email(coordinator_client, member):
    response = coordinator_client.get(reverse("console:people"), {"q": member.email.split("@")[0]})
    assert member not in response.context["page"].object_list


@pytest.mark.parametrize(
    ("role", "shown", "hidden"),
    [("supporter", "Bob", "Alice"), ("coordinator", "Carol", "Bob"), ("member", "Alice", "Bob")],
)
def test_the_list_filters_by_role(coordinator_client, member, supporter, role, shown, hidden):
    names = [p.display_name for p in coordinator_client.get(reverse("console:people"), {"role": role}).context["page"]]
    assert shown in names and hidden not in names


def test_the_person_page_shows_the_email_and_records_the_visit_in_their_access_log(
    coordinator_client, coordinator, member
):
    body = coordinator_client.get(reverse("console:person", args=[member.pk])).content.decode()
    assert "Alice" in body and member.email in body
    event = AuditEvent.objects.get(action="identity.viewed")
    assert event.subject_id == member.pk and event.actor_id == coordinator.pk


def test_the_person_page_of_a_missing_account_is_404(coordinator_client):
    assert coordinator_client.get(reverse("console:person", args=[999_999])).status_code == 404


def test_granting_the_supporter_role_audits_and_notifies(coordinator_client, coordinator, member):
    response = coordinator_client.post(
        reverse("console:person_role", args=[member.pk]),
        {"role": "supporter", "granted": "1", "reason": "Finished the supporter training"},
    )
    assert response.status_code == 302 and response.url == reverse("console:person", args=[member.pk])
    member.refresh_from_db()
    assert member.is_supporter
    event = AuditEvent.objects.get(action="accounts.role.granted")
    assert event.actor_id == coordinator.pk and event.subject_id == member.pk and event.details == {"role": "supporter"}
    assert Notification.objects.filter(user=member, kind=Kind.ROLE_GRANTED).exists()
    page = coordinator_client.get(response.url).content.decode()
    assert "Alice is now a supporter." in page
    assert "Supporter role granted" in page  # in the recent account changes


def test_granting_a_role_asks_for_confirmation_and_a_reason_first(coordinator_client, member):
    url = reverse("console:person_role", args=[member.pk])
    detail = coordinator_client.get(reverse("console:person", args=[member.pk])).content.decode()
    assert f'<form method="get" action="{url}"' in detail  # the button opens the question; it changes nothing

    response = coordinator_client.get(url, {"role": "coordinator", "granted": "1"})

    body = response.content.decode()
    assert response.status_code == 200
    assert "Make Alice a coordinator?" in body and 'name="reason"' in body
    assert "Yes, make them a coordinator" in body
    member.refresh_from_db()
    assert not member.is_coordinator and not AuditEvent.objects.filter(action="accounts.role.granted").exists()


@pytest.mark.parametrize("reason", ["", "   "])
def test_a_role_is_not_granted_without_a_reason(coordinator_client, member, reason):
    response = coordinator_client.post(
        reverse("console:person_role", args=[member.pk]), {"role": "supporter", "granted": "1", "reason": reason}
    )
    assert response.status_code == 200
    assert "Give a reason for this change." in response.content.decode()
    member.refresh_from_db()
    assert not member.is_supporter
    assert not AuditEvent.objects.filter(action="accounts.role.granted").exists()


def test_the_reason_is_audited_encrypted_and_shown_to_coordinators(coordinator_client, member):
    coordinator_client.post(
        reverse("console:person_role", args=[member.pk]),
        {"role": "supporter", "granted": "1", "reason": "Finished the  supporter\ntraining"},
    )
    event = AuditEvent.objects.get(action="accounts.role.granted", subject_id=member.pk)
    assert event.reason == "Finished the supporter training"
    raw = AuditEvent.objects.filter(pk=event.pk).values_list("reason", flat=True).query
    with connection.cursor() as cursor:
        cursor.execute(*raw.sql_with_params())
        stored = cursor.fetchone()[0]
    assert "training" not in stored and crypto.is_encrypted(stored)
    page = coordinator_client.get(reverse("console:person", args=[member.pk])).content.decode()
    assert "Finished the supporter training" in page


def test_removing_a_role_asks_for_a_reason_too(coordinator_client, supporter):
    url = reverse("console:person_role", args=[supporter.pk])
    body = coordinator_client.get(url, {"role": "supporter", "granted": "0"}).content.decode()
    assert "Yes, remove the supporter role" in body
    coordinator_client.post(url, {"role": "supporter", "granted": "0"})
    supporter.refresh_from_db()
    assert supporter.is_supporter


def test_removing_the_coordinator_role_of_another_coordinator(coordinator_client):
    other = factories.coordinator(display_name="Dana")
    coordinator_client.post(
        reverse("console:person_role", args=[other.pk]),
        {"role": "coordinator", "granted": "0", "reason": "Stepped down from the committee"},
    )
    other.refresh_from_db()
    assert not other.is_coordinator
    assert AuditEvent.objects.filter(action="accounts.role.removed", subject_id=other.pk).exists()


def test_removing_your_own_coordinator_role_is_refused_with_a_message(coordinator_client, coordinator):
    response = coordinator_client.post(
        reverse("console:person_role", args=[coordinator.pk]), {"role": "coordinator", "granted": "0"}, follow=True
    )
    assert "You can't remove your own coordinator role" in response.content.decode()
    coordinator.refresh_from_db()
    assert coordinator.is_coordinator
    assert not AuditEvent.objects.filter(action="accounts.role.removed").exists()


def test_granting_a_role_someone_already_has_changes_nothing(coordinator_client, supporter):
    response = coordinator_client.post(
        reverse("console:person_role", args=[supporter.pk]), {"role": "supporter", "granted": "1"}, follow=True
    )
    assert "Nothing changed" in response.content.decode()
    assert not AuditEvent.objects.filter(action="accounts.role.granted").exists()


def test_an_unknown_role_is_refused(coordinator_client, member):
    response = coordinator_client.post(
        reverse("console:person_role", args=[member.pk]), {"role": "is_superuser", "granted": "1"}, follow=True
    )
    assert "wasn&#x27;t understood" in response.content.decode()
    member.refresh_from_db()
    assert not member.is_superuser and not member.is_supporter


def test_a_deactivated_account_cannot_be_given_a_role(coordinator_client, member):
    member.is_active = False
    member.save()
    coordinator_client.post(reverse("console:person_role", args=[member.pk]), {"role": "supporter", "granted": "1"})
    member.refresh_from_db()
    assert not member.is_supporter


def test_deactivating_an_account_ends_their_session_and_is_audited(
    coordinator_client, coordinator, member, member_client
):
    assert member_client.get(reverse("notifications:index")).status_code == 200
    response = coordinator_client.post(reverse("console:person_active", args=[member.pk]), {"active": "0"}, follow=True)
    assert "account is deactivated" in response.content.decode()
    member.refresh_from_db()
    assert not member.is_active
    event = AuditEvent.objects.get(action="accounts.user.deactivated")
    assert event.actor_id == coordinator.pk and event.subject_id == member.pk
    assert member_client.get(reverse("notifications:index")).status_code == 302  # signed out: sent to sign in
    assert not Client().login(email=member.email, password=factories.PASSWORD)


def test_reactivating_an_account_lets_them_sign_in_again(coordinator_client, member):
    member.is_active = False
    member.save()
    coordinator_client.post(reverse("console:person_active", args=[member.pk]), {"active": "1"})
    member.refresh_from_db()
    assert member.is_active
    assert AuditEvent.objects.filter(action="accounts.user.reactivated", subject_id=member.pk).exists()
    assert Client().login(email=member.email, password=factories.PASSWORD)


def test_deactivating_your_own_account_is_refused_with_a_message(coordinator_client, coordinator):
    response = coordinator_client.post(
        reverse("console:person_active", args=[coordinator.pk]), {"active": "0"}, follow=True
    )
    assert "You can&#x27;t deactivate your own account" in response.content.decode()
    assert User.objects.get(pk=coordinator.pk).is_active


def test_members_and_supporters_cannot_change_roles_or_accounts(member_client, supporter_client, member, supporter):
    for client in (member_client, supporter_client):
        assert (
            client.post(
                reverse("console:person_role", args=[member.pk]), {"role": "coordinator", "granted": "1"}
            ).status_code
            == 403
        )
        assert client.post(reverse("console:person_active", args=[supporter.pk]), {"active": "0"}).status_code == 403
    member.refresh_from_db()
    supporter.refresh_from_db()
    assert not member.is_coordinator and supporter.is_active
    assert not AuditEvent.objects.filter(action__in=["accounts.role.granted", "accounts.user.deactivated"]).exists()


def test_an_account_that_has_not_set_up_a_profile_is_listed_and_can_be_opened(coordinator_client):
    newcomer = factories.member(profile=False)
    body = coordinator_client.get(reverse("console:people")).content.decode()
    assert f"No profile yet (account {newcomer.pk})" in body
    detail = coordinator_client.get(reverse("console:person", args=[newcomer.pk]))
    assert detail.status_code == 200 and f"No profile yet (account {newcomer.pk})" in detail.content.decode()
