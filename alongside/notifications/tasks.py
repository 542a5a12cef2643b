"""Background tasks for notifications: sending an email that ``services.queue_email`` queued."""

from __future__ import annotations

from typing import Any

from django.core.mail import EmailMultiAlternatives
from huey.contrib.djhuey import task


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
