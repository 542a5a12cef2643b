"""Writes for people's own numbers and for call-backs. Audited with ids only: never a name or a number.

A call-back's number is deleted when it ends (done, cancelled or lapsed); ``lapse_callbacks`` runs every few minutes
so a number never outlives its window by much.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest

from alongside.accounts.models import User
from alongside.audit.services import record
from alongside.directory.models import Topic
from alongside.lib.time import now
from alongside.notifications.models import Kind
from alongside.notifications.push import push_to_users
from alongside.notifications.services import notify
from alongside.phoneline import selectors
from alongside.phoneline.models import (
    OPEN_CALLBACK,
    Callback,
    CallbackOutcome,
    CallbackSource,
    CallbackStatus,
    CallOutcome,
    CallState,
    OwnNumber,
    PhoneCall,
)
from alongside.phoneline.numbers import to_e164
from alongside.roster.models import ContactFormat
from alongside.roster.services import end_contact, open_contact

TAKEN_GRACE = dt.timedelta(hours=2)
"""A taken call-back whose outcome was never recorded is closed this long after its window ends."""
LOST_CALL_AFTER = dt.timedelta(hours=4)
CALLBACKS_LINK = "/phone/call-backs/"


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


# --- own numbers ---------------------------------------------------------------------------------------------------


@transaction.atomic
def set_own_number(*, user: User, number: str, request: HttpRequest | None = None) -> OwnNumber:
    """Set or change one's own number; ``number`` as typed (checked here too)."""
    e164 = to_e164(number)
    row, created = OwnNumber.objects.update_or_create(user=user, defaults={"number": e164, "updated_at": now()})
    record("phoneline.number.set" if created else "phoneline.number.changed", actor=user, target=row, request=request)
    return row


@transaction.atomic
def remove_own_number(*, user: User, request: HttpRequest | None = None) -> bool:
    deleted, _ = OwnNumber.objects.filter(user=user).delete()
    if deleted:
        record("phoneline.number.removed", actor=user, target_type="phoneline.ownnumber", request=request)
    return bool(deleted)


# --- call-backs ----------------------------------------------------------------------------------------------------


def _tell_supporters(callback_id: int, starts_at: dt.datetime, ends_at: dt.datetime) -> None:
    """In-app and push to the supporters on shift in the window: that a call-back is waiting, nothing more."""
    ids = selectors.supporter_ids_for_window(starts_at, ends_at)
    for user_id in ids:
        notify(user_id=user_id, kind=Kind.CALLBACK_NEW, link=CALLBACKS_LINK)
    if ids:
        push_to_users(
            ids,
            title="A call-back request",
            body="Someone has asked for a call-back in one of your shifts.",
            url=CALLBACKS_LINK,
            tag=f"callback-{callback_id}",
        )


@transaction.atomic
def request_callback(
    *,
    name: str,
    phone: str,
    window_starts_at: dt.datetime,
    window_ends_at: dt.datetime,
    topics: Iterable[Topic] = (),
    requester: User | None = None,
    source: str = CallbackSource.WEB,
    request: HttpRequest | None = None,
) -> tuple[Callback, str]:
    """Ask for a call-back. Returns it and the private token for the caller's link (shown once, kept only hashed)."""
    name = " ".join(name.split())
    if not name:
        raise ValidationError({"name": "Give a first name or a pseudonym, so the supporter knows whom to ask for."})
    if window_ends_at <= window_starts_at:
        raise ValidationError("The window must end after it starts.")
    token = secrets.token_urlsafe(32)
    callback = Callback.objects.create(
        token_hash=token_hash(token),
        name=name[:40],
        phone=to_e164(phone),
        window_starts_at=window_starts_at,
        window_ends_at=window_ends_at,
        source=source,
        requester=requester if requester is not None and requester.is_authenticated else None,
    )
    callback.topics.set(list(topics))
    record("phoneline.callback.requested", target=callback, request=request, details={"source": source})
    transaction.on_commit(lambda: _tell_supporters(callback.pk, window_starts_at, window_ends_at))
    return callback, token


class SomeoneElseHasIt(ValidationError):
    """The call-back was taken by another supporter a moment before (or is no longer waiting)."""


@transaction.atomic
def take_callback(*, callback_id: int, supporter: User, request: HttpRequest | None = None) -> Callback:
    """The first supporter on shift in the window to press take gets it; a later one is told someone else has it."""
    callback = Callback.objects.get(pk=callback_id)
    if not selectors.is_offered_to(callback, supporter.pk):
        raise ValidationError("This call-back is for the supporters on shift in its window.")
    at = now()
    won = Callback.objects.filter(pk=callback_id, status=CallbackStatus.WAITING, window_ends_at__gt=at).update(
        status=CallbackStatus.TAKEN, taken_by=supporter, taken_at=at
    )
    if not won:
        raise SomeoneElseHasIt("Someone else has it: another supporter took this call-back first.")
    callback.refresh_from_db()
    record("phoneline.callback.taken", actor=supporter, target=callback, request=request)
    return callback


@transaction.atomic
def release_callbacks(*, supporter_id: int) -> int:
    """A supporter deleting their account: the call-backs they took and had not made wait again for another
    supporter (their contact records end). Returns how many."""
    released = 0
    for callback in Callback.objects.select_for_update().filter(taken_by_id=supporter_id, status=CallbackStatus.TAKEN):
        if callback.contact_id is not None:
            end_contact(record_id=callback.contact_id)
        released += Callback.objects.filter(pk=callback.pk, status=CallbackStatus.TAKEN).update(
            status=CallbackStatus.WAITING, taken_by=None, taken_at=None, contact=None
        )
    return released


def _close(callback: Callback, *, status: str, outcome: str = "") -> bool:
    """End an open call-back (conditional, so only one ending wins) and delete its number."""
    ended = Callback.objects.filter(pk=callback.pk, status__in=OPEN_CALLBACK).update(
        status=status, outcome=outcome, phone="", ended_at=now()
    )
    if ended and callback.contact_id is not None:
        end_contact(record_id=callback.contact_id)
    callback.refresh_from_db()
    return bool(ended)


@transaction.atomic
def cancel_callback(*, callback: Callback, request: HttpRequest | None = None) -> bool:
    """The caller cancels through their private link. The supporter who took it, if any, is told."""
    taker = callback.taken_by_id if callback.status == CallbackStatus.TAKEN else None
    if not _close(callback, status=CallbackStatus.CANCELLED):
        return False
    record("phoneline.callback.cancelled", target=callback, request=request)
    if taker is not None:
        notify(user_id=taker, kind=Kind.CALLBACK_CANCELLED, link=CALLBACKS_LINK)
    return True


@transaction.atomic
def finish_callback(
    *, callback: Callback, supporter: User, outcome: str, request: HttpRequest | None = None
) -> Callback:
    """The supporter records how it went (no content); the number is deleted and the contact ends."""
    if outcome not in CallbackOutcome.values or outcome == CallbackOutcome.NOT_RECORDED:
        raise ValidationError({"outcome": "Choose how the call-back went."})
    if callback.taken_by_id != supporter.pk or callback.status != CallbackStatus.TAKEN:
        raise ValidationError("This call-back is not open to you any more.")
    if not _close(callback, status=CallbackStatus.DONE, outcome=outcome):
        raise ValidationError("This call-back has already ended.")
    record("phoneline.callback.done", actor=supporter, target=callback, request=request, details={"outcome": outcome})
    return callback


def open_callback_contact(*, callback: Callback) -> int:
    """The call-back's contact record, opened the first time its supporter calls (one record per call-back)."""
    if callback.contact_id is not None:
        return callback.contact_id
    assert callback.taken_by_id is not None
    contact = open_contact(supporter_id=callback.taken_by_id, format=ContactFormat.CALLBACK)
    Callback.objects.filter(pk=callback.pk, contact__isnull=True).update(contact=contact)
    callback.refresh_from_db()
    if callback.contact_id != contact.pk:  # another request opened one first
        end_contact(record_id=contact.pk)
    assert callback.contact_id is not None
    return callback.contact_id


def lapse_callbacks(*, at: dt.datetime | None = None) -> int:
    """Waiting call-backs whose window passed lapse; taken ones never recorded close two hours after their window.
    Calls whose end was never reported are closed too. Each deletes the number. Returns how many ended."""
    at = at or now()
    ended = 0
    for callback in Callback.objects.filter(status=CallbackStatus.WAITING, window_ends_at__lte=at):
        with transaction.atomic():
            if _close(callback, status=CallbackStatus.LAPSED):
                record("phoneline.callback.lapsed", target=callback)
                ended += 1
    for callback in Callback.objects.filter(status=CallbackStatus.TAKEN, window_ends_at__lte=at - TAKEN_GRACE):
        with transaction.atomic():
            if _close(callback, status=CallbackStatus.DONE, outcome=CallbackOutcome.NOT_RECORDED):
                record("phoneline.callback.closed", target=callback)
                ended += 1
    for call in PhoneCall.objects.exclude(state=CallState.ENDED).filter(started_at__lt=at - LOST_CALL_AFTER):
        lost = (
            PhoneCall.objects.filter(pk=call.pk)
            .exclude(state=CallState.ENDED)
            .update(state=CallState.ENDED, outcome=call.outcome or CallOutcome.LOST, ended_at=at)
        )
        if lost and call.contact_id is not None:
            end_contact(record_id=call.contact_id)
    return ended
