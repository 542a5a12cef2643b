"""The retention policy: what people wrote is erased a set number of days after their conversation ends.

``ServiceSettings.message_retention_days`` (default 30) after a thread ended (``Thread.closed_at`` for talk-now
threads; the connection's ``ended_at`` for a connection's thread) every message in it loses its words: the row and
its seq stay (replay has no gaps), ``deleted_at`` marks it, and ``Thread.erased_at`` says when, so the thread page
can say why. The same number of days after they end, two other pieces of free text go: a support request's note to
the supporter, and the first name or pseudonym a caller gave for a call-back (its number already went when it
ended). Contact records and the anonymous feedback hold no names or words to erase, and stay.

Groups: a drop-in's or debrief's thread closes when it ends, so it is erased like any closed thread. A standing
circle or supervision group never ends the way a connection does, and its members come and go: in its open thread,
each message loses its words once it is older than the same number of days (``group_messages``).

The hourly task runs ``apply_retention``. Every step is a conditional UPDATE of at most ``BATCH`` rows: a second
worker running at the same time erases other rows or nothing, and a run that stops half-way is finished by the
next one. One audit event per run, with counts only.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet

from alongside.audit.services import record
from alongside.connections.models import SupportRequest
from alongside.conversations.models import Message, Thread, ThreadKind
from alongside.lib.time import now
from alongside.phoneline.models import Callback
from alongside.service.selectors import current_settings

BATCH = 500
"""Rows erased by one UPDATE."""


@dataclass
class Erased:
    days: int = 0
    messages: int = 0
    threads: int = 0
    group_messages: int = 0
    request_notes: int = 0
    callback_names: int = 0


def retention_days() -> int:
    return int(current_settings().message_retention_days)


def cutoff(at: dt.datetime | None = None, days: int | None = None) -> dt.datetime:
    """Conversations that ended before this moment have had their time."""
    return (at or now()) - dt.timedelta(days=retention_days() if days is None else days)


def expired_threads(before: dt.datetime) -> QuerySet[Thread]:
    """Threads that ended before ``before``: closed (talk-now), or their connection ended."""
    return Thread.objects.filter(Q(closed_at__lt=before) | Q(connection__ended_at__lt=before))


def _in_batches(rows: QuerySet[Any], erase: dict[str, Any]) -> int:
    """Erase ``rows`` ``BATCH`` at a time; each UPDATE is conditional on the row still matching. Returns rows erased."""
    total = 0
    while True:
        ids = list(rows.order_by("pk").values_list("pk", flat=True)[:BATCH])
        if not ids:
            return total
        with transaction.atomic():
            # Still matching: rows another worker erased in between are not counted twice.
            total += rows.filter(pk__in=ids).update(**erase)


def apply_retention(*, at: dt.datetime | None = None) -> Erased:
    """Erase what has outlived the policy. Idempotent: a second run at once finds nothing left."""
    at = at or now()
    days = retention_days()
    before = cutoff(at, days)
    result = Erased(days=days)
    expired = expired_threads(before)
    result.messages = _in_batches(
        Message.objects.filter(thread__in=expired.values("pk"), deleted_at__isnull=True),
        {"body": "", "deleted_at": at},
    )
    result.threads = expired.filter(erased_at__isnull=True).update(erased_at=at)
    # Standing groups' open threads: a rolling window (their closed threads were erased just above).
    result.group_messages = _in_batches(
        Message.objects.filter(
            thread__kind=ThreadKind.GROUP,
            thread__closed_at__isnull=True,
            created_at__lt=before,
            deleted_at__isnull=True,
        ),
        {"body": "", "deleted_at": at},
    )
    # A request's note to its supporter: when its connection ended long enough ago, or when it was withdrawn
    # (or otherwise closed without a connection) as long ago.
    result.request_notes = _in_batches(
        SupportRequest.objects.exclude(note="").filter(
            Q(connection__ended_at__lt=before) | Q(connection__isnull=True, closed_at__lt=before)
        ),
        {"note": ""},
    )
    result.callback_names = _in_batches(
        Callback.objects.exclude(name="").filter(ended_at__lt=before),
        {"name": ""},
    )
    record("safety.retention.applied", target_type="service.servicesettings", target_id=1, details=asdict(result))
    return result
