"""Model fields that keep sensitive text encrypted at rest."""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.db import models

from alongside.lib import crypto


class EncryptedTextField(models.TextField):  # type: ignore[type-arg]
    """Text stored as AES-GCM ciphertext; Python code sees plain text.

    Values cannot be searched or compared in SQL. ``alongside rotate_keys`` finds every
    field of this class and re-encrypts it with the primary key.
    """

    description = "Text encrypted at rest"

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> str | None:
        if value is None or value == "":
            return value
        return crypto.decrypt(value)

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return crypto.encrypt(str(value))


def encrypted_fields() -> list[tuple[type[models.Model], EncryptedTextField]]:
    """Every (model, field) pair that stores encrypted text."""
    found: list[tuple[type[models.Model], EncryptedTextField]] = []
    for model in apps.get_models():
        for field in model._meta.get_fields():
            if isinstance(field, EncryptedTextField):
                found.append((model, field))
    return found
