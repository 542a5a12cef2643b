"""The audit trail: append-only, one row per security-relevant event, chained by hashes.

Each event's ``row_hash`` is the SHA-256 of its own content, computed when it is written. A sealer
(``alongside.audit.chain``) then gives events their place in the chain: ``seq`` 1, 2, 3 ... in the order they
were sealed, ``prev_hash`` (the chain hash of the event before) and ``chain_hash`` = SHA-256(prev_hash + row_hash).
Changing, removing or inserting a row breaks the chain at that point, and ``alongside audit verify`` says where.
"""

from __future__ import annotations

from typing import Any

from django.db import models

from alongside.lib.fields import EncryptedTextField
from alongside.lib.time import now


class Outcome(models.TextChoices):
    OK = "ok", "succeeded"
    DENIED = "denied", "denied"
    FAILED = "failed", "failed"


class AuditEventQuerySet(models.QuerySet["AuditEvent"]):
    """Events are added, never changed or removed, by a query either: no bulk ``update()`` or ``delete()``."""

    def update(self, **kwargs: Any) -> int:
        raise ValueError("audit events are immutable")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise ValueError("audit events are immutable")

    def seal(self, **chain: Any) -> int:
        """The sealer's one write: fill an unsealed event's chain columns, once (see ``alongside.audit.chain``)."""
        allowed = {"seq", "prev_hash", "chain_hash", "row_hash"}
        if not set(chain) <= allowed:
            raise ValueError("only the chain columns are written when sealing")
        return models.QuerySet.update(self.filter(seq__isnull=True), **chain)


class AuditEvent(models.Model):
    """Who did what to what, when, with what outcome.

    Actor and subject are plain ids, not foreign keys, so deleting an account never
    rewrites history. ``subject_id`` is the person the event concerns: it feeds that
    person's own access log.
    """

    at = models.DateTimeField(default=now, db_index=True)
    action = models.CharField(max_length=100, db_index=True)
    actor_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    target_type = models.CharField(max_length=60, blank=True)
    target_id = models.CharField(max_length=64, blank=True)
    subject_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    outcome = models.CharField(max_length=10, choices=Outcome.choices, default=Outcome.OK)
    ip_hash = models.CharField(max_length=64, blank=True)
    details = models.JSONField(default=dict, blank=True)
    # Why a person chose to do it, in their words (a role granted or removed): free text, so encrypted.
    reason = EncryptedTextField(blank=True)
    row_hash = models.CharField(max_length=64, blank=True)
    seq = models.PositiveBigIntegerField(null=True, blank=True, unique=True)
    prev_hash = models.CharField(max_length=64, blank=True)
    chain_hash = models.CharField(max_length=64, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["target_type", "target_id"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.action} {self.outcome}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise ValueError("audit events are immutable")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise ValueError("audit events are immutable")


class AuditChain(models.Model):
    """One row: the chain's head, locked by the sealer so two sealers never give out the same place."""

    seq = models.PositiveBigIntegerField(default=0)
    head_hash = models.CharField(max_length=64, blank=True)

    class Meta:
        constraints = [models.CheckConstraint(condition=models.Q(id=1), name="audit_chain_single_row")]

    def __str__(self) -> str:
        return f"audit chain at {self.seq}"
