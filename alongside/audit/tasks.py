"""Sealing new audit events into the chain, every minute."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from alongside.audit.chain import seal


@db_periodic_task(crontab(minute="*"))
def seal_audit_chain() -> int:
    return seal()
