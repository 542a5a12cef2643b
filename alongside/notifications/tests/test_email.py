import pytest
from django.core import mail
from django.core.mail import EmailMultiAlternatives

from alongside.notifications.services import queue_email

pytestmark = pytest.mark.django_db


def test_emails_are_sent_only_after_the_transaction_commits(django_capture_on_commit_callbacks):
    message = EmailMultiAlternatives("Hello", "text part", "from@example.org", ["to@example.org"])
    message.attach_alternative("<p>html part</p>", "text/html")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        queue_email(message)
    assert not mail.outbox
    for callback in callbacks:
        callback()
    assert len(mail.outbox) == 1
    sent = mail.outbox[0]
    assert sent.body == "text part"
    assert sent.alternatives[0][0] == "<p>html part</p>"


def test_the_notifications_page_lists_and_clears(member_client, member):
    from alongside.notifications.services import notify

    notify(user_id=member.pk, kind="role_granted")
    body = member_client.get("/notifications/").content.decode()
    assert "You have been given a new role" in body
    member_client.post("/notifications/read/")
    assert member.notifications.filter(read_at__isnull=True).count() == 0
