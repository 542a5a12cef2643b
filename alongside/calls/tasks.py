"""Periodic work for calls: the backstop for a ringing call whose caller's process went away."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from alongside.calls.services import close_lost_calls, expire_unanswered_calls


@db_periodic_task(crontab(minute="*"))
def sweep_calls() -> int:
    """Every minute: calls still ringing after 45 s become missed; answered calls whose end was lost are closed."""
    return expire_unanswered_calls() + close_lost_calls()
