"""Writes the console makes that belong to no other app's services: deactivating accounts.

Roles are changed through ``alongside.accounts.services.set_role``.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest

from alongside.accounts.models import User
from alongside.audit.services import record


@transaction.atomic
def set_account_active(*, actor: User, user: User, active: bool, request: HttpRequest | None = None) -> bool:
    """Deactivate or reactivate an account. Returns whether anything changed.

    A deactivated person can't sign in, and their open sessions stop working on their next
    request (Django's authentication backends refuse inactive accounts). Nothing is deleted.
    """
    locked = User.objects.select_for_update().get(pk=user.pk)
    if locked.is_active == active:
        return False
    if not active and locked.pk == actor.pk:
        raise ValidationError("You can't deactivate your own account here; ask another coordinator.")
    if not active and locked.is_superuser:
        raise ValidationError("This is a server administrator's account; it can only be deactivated on the server.")
    locked.is_active = active
    locked.save(update_fields=["is_active"])
    user.is_active = active
    record(
        "accounts.user.reactivated" if active else "accounts.user.deactivated",
        actor=actor,
        subject=locked,
        target=locked,
        request=request,
    )
    return True
