"""Load demo data for development: `alongside load_demo` (run by `make run` on every start)."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from alongside.demo import loader as demo


class Command(BaseCommand):
    help = "Create any missing demo data: reference data, crisis lines, the library and a made-up cast. Idempotent."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--reference-only",
            action="store_true",
            help="only topics, specialties, languages, workplaces, crisis lines and the library; no accounts",
        )
        parser.add_argument(
            "--force-production",
            action="store_true",
            help="create the demo accounts even when ALONGSIDE_ENV=production (they share a published password)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        people = not options["reference_only"]
        started = time.monotonic()
        try:
            report = demo.load(people=people, allow_production=options["force_production"])
        except demo.DemoRefusedError as exc:
            raise CommandError(str(exc), returncode=2) from None
        took = time.monotonic() - started
        if report.total:
            self.stdout.write(f"Demo data loaded in {took:.1f} s: {report.summary()}.")
        else:
            self.stdout.write("Demo data already loaded; nothing changed.")
        if people:
            self.stdout.write(f"\nDemo sign-ins (password: {demo.DEMO_PASSWORD})")
            for role, email in demo.DEMO_SIGN_INS:
                self.stdout.write(f"  {role:<12} {email}")
            self.stdout.write(
                f"Supporters and coordinators also need a one-time code: add the secret {demo.DEMO_TOTP_SECRET} "
                "to an authenticator app, or run `alongside demo_code` for the current code."
            )
