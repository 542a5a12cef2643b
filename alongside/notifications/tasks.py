"""Background tasks for notifications."""

from __future__ import annotations

from typing import Any

from huey.contrib.djhuey import task


@task(retries=3, retry_delay=30)
def send_email(payload: dict[str, Any]) -> None:
    """Send one rendered email. Retried on SMTP failure; the payload never reaches a log."""
    from alongside.notifications.services import build_email

    build_email(payload).send(fail_silently=False)
