"""Re-encrypt every encrypted column with the key ring's primary key.

Put the new key first in ALONGSIDE_ENCRYPTION_KEYS (keep the old ones after it), run
this, then remove the old keys once it reports nothing left to rotate.
"""

from __future__ import annotations

from typing import Any

from allauth.mfa.models import Authenticator
from django.core.management.base import BaseCommand
from django.db import connection, transaction

from alongside.lib import crypto
from alongside.lib.fields import encrypted_fields

BATCH = 500


class Command(BaseCommand):
    help = "Re-encrypt all sensitive columns with the primary encryption key."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--dry-run", action="store_true", help="count what would change")

    def handle(self, *args: Any, **options: Any) -> None:
        ring = crypto.keyring()
        total = 0
        for model, field in encrypted_fields():
            table = connection.ops.quote_name(model._meta.db_table)
            column = connection.ops.quote_name(field.column)
            pk = connection.ops.quote_name(model._meta.pk.column)  # type: ignore[union-attr]
            changed = 0
            last = None
            while True:
                with transaction.atomic():
                    sql = f"SELECT {pk}, {column} FROM {table} WHERE {column} <> ''"  # noqa: S608 - names are quoted model metadata
                    params: list[Any] = []
                    if last is not None:
                        sql += f" AND {pk} > %s"
                        params.append(last)
                    sql += f" ORDER BY {pk} LIMIT {BATCH}"
                    with connection.cursor() as cursor:
                        cursor.execute(sql, params)
                        rows = cursor.fetchall()
                        for row_pk, value in rows:
                            if value and ring.needs_rotation(value):
                                changed += 1
                                if not options["dry_run"]:
                                    fresh = ring.encrypt(ring.decrypt(value))
                                    cursor.execute(
                                        f"UPDATE {table} SET {column} = %s WHERE {pk} = %s",  # noqa: S608
                                        [fresh, row_pk],
                                    )
                if not rows:
                    break
                last = rows[-1][0]
            if changed:
                self.stdout.write(
                    f"{model._meta.label}.{field.name}: {changed} value(s) {'to rotate' if options['dry_run'] else 'rotated'}"
                )
            total += changed
        total += self._rotate_mfa(ring, dry_run=options["dry_run"])
        self.stdout.write(f"{total} value(s) {'need rotation' if options['dry_run'] else 'rotated'} in all.")

    def _rotate_mfa(self, ring: crypto.KeyRing, *, dry_run: bool) -> int:
        """allauth keeps TOTP secrets and recovery-code seeds in a JSON column, encrypted by our MFA adapter."""
        changed = 0
        for authenticator in Authenticator.objects.order_by("pk").iterator():
            data = dict(authenticator.data)
            dirty = False
            for key in ("secret", "seed"):
                value = data.get(key)
                if isinstance(value, str) and crypto.is_encrypted(value) and ring.needs_rotation(value):
                    data[key] = ring.encrypt(
                        ring.decrypt(value, context=crypto.MFA_CONTEXT), context=crypto.MFA_CONTEXT
                    )
                    dirty = True
            if dirty:
                changed += 1
                if not dry_run:
                    Authenticator.objects.filter(pk=authenticator.pk).update(data=data)
        if changed:
            self.stdout.write(f"mfa.Authenticator: {changed} value(s) {'to rotate' if dry_run else 'rotated'}")
        return changed
