"""Background tasks for notifications: sending an email that ``services.queue_email`` queued, and a push message
to one device (``push.push_to_users`` queues one task per device)."""

from __future__ import annotations

from typing import Any

from django.core.mail import EmailMultiAlternatives
from huey.contrib.djhuey import db_task, task

from alongside.lib.time import now
from alongside.notifications import webpush


@task(retries=3, retry_delay=30)
def send_email(payload: dict[str, Any]) -> None:
    """Send one rendered email. Retried on SMTP failure; the payload never reaches a log."""
    build_email(payload).send(fail_silently=False)


def build_email(payload: dict[str, Any]) -> EmailMultiAlternatives:
    msg = EmailMultiAlternatives(
        subject=payload["subject"], body=payload["body"], from_email=payload["from_email"], to=payload["to"]
    )
    for content, mimetype in payload.get("alternatives", []):
        msg.attach_alternative(content, mimetype)
    return msg


@db_task()
def send_push(subscription_id: int, message: webpush.Message) -> str:
    """Send one message to one device; a failure schedules this task again for the device's next try."""
    result = webpush.deliver(subscription_id, message)
    if result.retry_at is not None:
        wait = max(1.0, (result.retry_at - now()).total_seconds())
        send_push.schedule(args=(subscription_id, message), delay=wait)
    return result.outcome.value
