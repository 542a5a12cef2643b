"""The one place that closes sockets when something outside them changes: every socket of every app.

- sign-out: that session's sockets close (4401);
- deactivation, or the account deleted: all the person's sockets close (4403);
- a role removed or granted, a password changed, set or reset, an authenticator removed: all the person's sockets
  re-check at once and close if the session, MFA, role or access no longer holds;
- a connection closed: its thread's chat sockets close (4410) and its call sockets hang up and close (4403).

Sessions that simply expire or idle out are noticed by each socket's own periodic re-check
(``lib.consumers.GuardedConsumer``, at least every 25 s). Events go out after the change is committed.
"""

from __future__ import annotations

from typing import Any

from allauth.account import signals as account_signals
from allauth.mfa import signals as mfa_signals
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_out
from django.db import transaction
from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver
from django.http import HttpRequest

from alongside.connections.models import Connection
from alongside.conversations.models import Thread
from alongside.lib.sockets import Reason, close_user_sockets, tell_thread_closed

User = get_user_model()
ROLE_FIELDS = ("is_supporter", "is_coordinator", "is_superuser")


def _after_commit(user_id: int, reason: Reason, session_key: str = "") -> None:
    transaction.on_commit(lambda: close_user_sockets(user_id, reason, session_key=session_key))


@receiver(user_logged_out, dispatch_uid="sockets.signed_out")
def close_sockets_on_sign_out(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    session_key = getattr(getattr(request, "session", None), "session_key", None)
    if session_key and user is not None:
        close_user_sockets(user.pk, Reason.SIGNED_OUT, session_key=session_key)


@receiver(pre_save, sender=User, dispatch_uid="sockets.user_before")
def remember_roles(sender: Any, instance: Any, update_fields: Any = None, **kwargs: Any) -> None:
    """Note the roles before the save, for ``close_sockets_on_account_change`` (one query, not on sign-in)."""
    if instance.pk is None or (update_fields is not None and not set(update_fields) & set(ROLE_FIELDS)):
        instance._roles_before = None
        return
    instance._roles_before = User.objects.filter(pk=instance.pk).values_list(*ROLE_FIELDS).first()


@receiver(post_save, sender=User, dispatch_uid="sockets.user_after")
def close_sockets_on_account_change(sender: Any, instance: Any, created: bool, **kwargs: Any) -> None:
    if created:
        return
    if not instance.is_active:
        _after_commit(instance.pk, Reason.DEACTIVATED)
        return
    before = getattr(instance, "_roles_before", None)
    if before is not None and tuple(getattr(instance, field) for field in ROLE_FIELDS) != tuple(before):
        _after_commit(instance.pk, Reason.ROLE_CHANGED)


@receiver(post_delete, sender=User, dispatch_uid="sockets.user_deleted")
def close_sockets_on_account_deletion(sender: Any, instance: Any, **kwargs: Any) -> None:
    """A deleted account's sockets close at once, on every device (not at their next re-check)."""
    _after_commit(instance.pk, Reason.DEACTIVATED)


@receiver(account_signals.password_changed, dispatch_uid="sockets.password_changed")
@receiver(account_signals.password_set, dispatch_uid="sockets.password_set")
@receiver(account_signals.password_reset, dispatch_uid="sockets.password_reset")
def recheck_sockets_on_password_change(sender: Any, user: Any, **kwargs: Any) -> None:
    # Sent after the changing session got its new auth hash: only the other sessions' sockets close.
    _after_commit(user.pk, Reason.PASSWORD_CHANGED)


@receiver(mfa_signals.authenticator_removed, dispatch_uid="sockets.mfa_removed")
def recheck_sockets_on_mfa_removal(sender: Any, user: Any, **kwargs: Any) -> None:
    _after_commit(user.pk, Reason.MFA_REMOVED)


@receiver(post_save, sender=Connection, dispatch_uid="sockets.connection_closed")
def close_sockets_when_the_connection_closes(sender: Any, instance: Connection, **kwargs: Any) -> None:
    if instance.is_active:
        return
    thread_id = Thread.objects.filter(connection=instance).values_list("pk", flat=True).first()
    if thread_id is not None:
        transaction.on_commit(lambda: tell_thread_closed(thread_id))
