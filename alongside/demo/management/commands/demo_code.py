"""Print the current one-time code for the demo accounts' shared TOTP secret: `alongside demo_code`."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from alongside.demo import loader as demo


class Command(BaseCommand):
    help = "Print the current six-digit code for the demo supporters' and coordinators' TOTP secret."

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.PRODUCTION:
            raise CommandError("There are no demo accounts in production (ALONGSIDE_ENV=production).", returncode=2)
        self.stdout.write(demo.current_code())
