"""`alongside audit verify` checks the audit chain and names the first broken link; `alongside audit seal` seals
events written since the last minute's run."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from alongside.audit.chain import seal, verify


class Command(BaseCommand):
    help = "Check the audit trail's hash chain (verify) or seal new events into it now (seal)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["verify", "seal"])

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "seal":
            self.stdout.write(f"{seal()} event(s) sealed.")
            return
        verdict = verify()
        if not verdict.intact:
            where = f"event {verdict.broken_at} of the chain" if verdict.broken_at else "an event not yet sealed"
            row = f" (row id {verdict.event_id})" if verdict.event_id is not None else ""
            raise CommandError(f"The audit chain is broken at {where}{row}: {verdict.problem}.")
        self.stdout.write(
            f"The audit chain is intact: {verdict.events} event(s) sealed, {verdict.unsealed} waiting to be sealed. "
            f"Head: {verdict.head_hash or '(empty)'}"
        )
