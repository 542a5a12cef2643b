"""The audit chain: hashing each event's content, sealing events into a chain, and verifying it.

Hashes cover what an event says (its time, action, actor, target, subject, outcome, hashed address, details and
the plain text of its reason, so rotating encryption keys changes no hash). The chain is SHA-256 without a key: it
shows any change made by someone who did not also rewrite every later event. Writing the head hash down somewhere
else from time to time (``alongside audit verify`` prints it) anchors it against that too.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

from django.db import transaction

from alongside.audit.models import AuditChain, AuditEvent

SEAL_BATCH = 500


def row_hash(event: AuditEvent) -> str:
    content = {
        "at": event.at.isoformat(timespec="microseconds"),
        "action": event.action,
        "actor_id": event.actor_id,
        "target_type": event.target_type,
        "target_id": event.target_id,
        "subject_id": event.subject_id,
        "outcome": event.outcome,
        "ip_hash": event.ip_hash,
        "details": event.details,
        "reason": event.reason,
    }
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def link(prev_hash: str, this_row_hash: str) -> str:
    return hashlib.sha256(f"{prev_hash}:{this_row_hash}".encode()).hexdigest()


def seal() -> int:
    """Give every unsealed event its place in the chain; returns how many were sealed. Safe to run concurrently."""
    sealed = 0
    while True:
        with transaction.atomic():
            AuditChain.objects.get_or_create(pk=1)
            head = AuditChain.objects.select_for_update().get(pk=1)
            batch = list(AuditEvent.objects.filter(seq__isnull=True).order_by("id")[:SEAL_BATCH])
            for event in batch:
                digest = event.row_hash or row_hash(event)  # events written before the chain existed
                chained = link(head.head_hash, digest)
                head.seq += 1
                AuditEvent.objects.filter(pk=event.pk).seal(
                    seq=head.seq, prev_hash=head.head_hash, chain_hash=chained, row_hash=digest
                )
                head.head_hash = chained
            if batch:
                head.save(update_fields=["seq", "head_hash"])
        sealed += len(batch)
        if len(batch) < SEAL_BATCH:
            return sealed


@dataclass(frozen=True)
class Verdict:
    events: int
    unsealed: int
    head_hash: str
    broken_at: int | None = None  # the seq of the first broken link
    event_id: int | None = None
    problem: str = ""

    @property
    def intact(self) -> bool:
        return not self.problem


def verify() -> Verdict:
    """Walk the chain from the first event; report the first link that does not hold."""
    expected_prev = ""
    count = 0
    for event in AuditEvent.objects.filter(seq__isnull=False).order_by("seq").iterator(chunk_size=2000):
        count += 1
        problem = ""
        if event.seq != count:
            problem = f"event {count} is missing (the next one found is {event.seq})"
        elif event.prev_hash != expected_prev:
            problem = "it does not follow from the event before"
        elif event.row_hash != row_hash(event):
            problem = "its content was changed after it was written"
        elif event.chain_hash != link(event.prev_hash, event.row_hash):
            problem = "its chain hash was changed"
        if problem:
            return _broken(count, event.pk, problem)
        expected_prev = event.chain_hash
    head = AuditChain.objects.filter(pk=1).first()
    if head is not None and (head.seq != count or head.head_hash != expected_prev):
        return _broken(count + 1 if head.seq > count else count, None, "events at the end of the chain are missing")
    for event in AuditEvent.objects.filter(seq__isnull=True).exclude(row_hash="").iterator(chunk_size=2000):
        if event.row_hash != row_hash(event):
            return _broken(None, event.pk, "an event not yet sealed was changed after it was written")
    unsealed = AuditEvent.objects.filter(seq__isnull=True).count()
    return Verdict(events=count, unsealed=unsealed, head_hash=expected_prev)


def _broken(seq: int | None, event_id: int | None, problem: str) -> Verdict:
    return Verdict(
        events=AuditEvent.objects.filter(seq__isnull=False).count(),
        unsealed=AuditEvent.objects.filter(seq__isnull=True).count(),
        head_hash="",
        broken_at=seq,
        event_id=event_id,
        problem=problem,
    )
