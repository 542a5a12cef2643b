"""'You have a new message': an in-app notification and, at most every 15 minutes, an email. Never the text,
never a name."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse

from alongside.conversations.models import ThreadMember
from alongside.conversations.selectors import unread_count
from alongside.lib.time import now
from alongside.notifications.models import Kind, Notification
from alongside.notifications.services import notify, push_count
from alongside.service.selectors import current_settings

EMAIL_EVERY = dt.timedelta(minutes=15)


def thread_link(thread_id: int) -> str:
    return reverse("conversations:thread", kwargs={"pk": thread_id})


def tell_about_waiting_message(*, thread_id: int, user_id: int) -> bool:
    membership = (
        ThreadMember.objects.select_related("user")
        .filter(thread_id=thread_id, user_id=user_id, left_at__isnull=True, user__is_active=True)
        .first()
    )
    if membership is None or unread_count(thread_id, user_id) == 0:
        return False
    link = thread_link(thread_id)
    if not Notification.objects.filter(
        user_id=user_id, kind=Kind.MESSAGE_NEW, link=link, read_at__isnull=True
    ).exists():
        notify(user_id=user_id, kind=Kind.MESSAGE_NEW, link=link)
    at = now()
    claimed = ThreadMember.objects.filter(
        Q(emailed_at__isnull=True) | Q(emailed_at__lte=at - EMAIL_EVERY), pk=membership.pk
    ).update(emailed_at=at)
    if not claimed:
        return False
    new_message_email(to=membership.user.email, link=f"{settings.SITE_URL}{link}").send(fail_silently=False)
    return True


def new_message_email(*, to: str, link: str) -> EmailMultiAlternatives:
    context = {"service_name": current_settings().name, "link": link}
    message = EmailMultiAlternatives(
        subject="You have a new message in Alongside",
        body=render_to_string("conversations/email/new_message.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[to],
    )
    message.attach_alternative(render_to_string("conversations/email/new_message.html", context), "text/html")
    return message


def mark_thread_notifications_read(*, thread_id: int, user_id: int) -> None:
    """Opening the thread clears its 'new message' notifications (and the badge follows)."""
    if Notification.objects.filter(
        user_id=user_id, kind=Kind.MESSAGE_NEW, link=thread_link(thread_id), read_at__isnull=True
    ).update(read_at=now()):
        push_count(user_id)
