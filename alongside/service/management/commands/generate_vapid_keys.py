from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from alongside.lib import vapid


class Command(BaseCommand):
    help = "Print a new VAPID key pair for Web Push, as the VAPID_PRIVATE_KEY and VAPID_PUBLIC_KEY lines to set."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--pem", action="store_true", help="print the private key as PEM instead of base64url")

    def handle(self, *args: Any, **options: Any) -> None:
        keys = vapid.generate()
        if options["pem"]:
            self.stdout.write(vapid.private_pem(keys), ending="")
            self.stdout.write(f"VAPID_PUBLIC_KEY={keys.public_key}")
            return
        self.stdout.write(f"VAPID_PRIVATE_KEY={keys.private_raw}")
        self.stdout.write(f"VAPID_PUBLIC_KEY={keys.public_key}")
