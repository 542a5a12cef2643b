"""The cached service snapshot holds the library's crisis lines: forget it when a library resource changes."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from alongside.library.models import Resource
from alongside.service.selectors import forget_snapshot


@receiver(post_save, sender=Resource)
@receiver(post_delete, sender=Resource)
def _resource_changed(sender: Any, **kwargs: Any) -> None:
    transaction.on_commit(forget_snapshot)
