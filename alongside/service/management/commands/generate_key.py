from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from alongside.lib.crypto import generate_key


class Command(BaseCommand):
    help = "Print a new encryption key entry ('id:base64key') for ALONGSIDE_ENCRYPTION_KEYS."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--id", dest="kid", default=None, help="key id (default: random)")

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(generate_key(options["kid"]))
