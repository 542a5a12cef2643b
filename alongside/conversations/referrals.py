"""Referral cards: a supporter sends a library resource (a doctors' health service, a GP or psychologist finder,
employee assistance) into a thread in one click; both sides see it as a card, in the history and live.

A card is a message like any other (the same seq, the same idempotency key per sender and thread, stored by the
same ``store_messages`` the group-commit writer uses), with ``kind`` referral, the resource and no body. It is sent
from a page (a POST), so the live copy is broadcast here once the message is committed, in the chat socket's own
event shape. Only the supporter side of a thread sends one; an app above that owns a kind of thread (talk now)
says who that is, and hears that a card was sent (it marks its contact record's referral as given).
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest

from alongside.audit.services import record
from alongside.conversations import selectors
from alongside.conversations.consumers import OFFLINE_NOTICE_GATE_SECONDS, presence
from alongside.conversations.models import Thread, ThreadKind
from alongside.conversations.services import Pending, Stored, store_messages
from alongside.conversations.tasks import message_waiting
from alongside.lib.sockets import send_chat_event
from alongside.library.models import Resource
from alongside.library.selectors import referral_resources

SenderCheck = Callable[[Thread, Any], bool]
SentHook = Callable[[Thread, Any], None]


@dataclass(frozen=True)
class _KindRule:
    may_send: SenderCheck
    sent: SentHook | None


def _connection_supporter(thread: Thread, user: Any) -> bool:
    connection = thread.connection
    return connection is not None and user.pk == connection.supporter.user_id


_rules: dict[str, _KindRule] = {ThreadKind.CONNECTION: _KindRule(_connection_supporter, None)}


def register_referral_kind(kind: str, *, may_send: SenderCheck, sent: SentHook | None = None) -> None:
    """An app above that owns a kind of thread says who its supporter side is (``may_send``) and what to do once a
    card was sent in one (``sent``, inside the sending transaction), without this app importing it."""
    _rules[kind] = _KindRule(may_send, sent)


def can_send_referrals(thread: Thread, user: Any) -> bool:
    """The supporter side of the thread, while they hold the supporter role. Members never send cards."""
    if not getattr(user, "is_supporter", False):
        return False
    rule = _rules.get(thread.kind)
    return rule is not None and rule.may_send(thread, user)


def referral_choices() -> list[selectors.Card]:
    """The referral services a supporter can send, as cards (what the list under the compose box shows)."""
    return [selectors.card_of(resource) for resource in referral_resources()]


@transaction.atomic
def send_referral(
    *, thread: Thread, sender: Any, resource_id: int, client_key: str, request: HttpRequest | None = None
) -> Stored:
    """Send a referral card. The same ``client_key`` again (a double click, a resubmitted form) returns the card
    already sent, and sends nothing. Raises ``ValidationError`` with a message for the sender."""
    if not can_send_referrals(thread, sender):
        raise ValidationError("Only the supporter can send a referral card here.")
    resource = Resource.objects.filter(pk=resource_id, is_referral=True).first()
    if resource is None:
        raise ValidationError("That referral service is no longer listed. Choose another.")
    stored = store_messages([Pending(thread.pk, sender.pk, client_key, "", resource_id=resource.pk)])[0]
    if stored.error == "closed":
        raise ValidationError("This conversation has closed: no card was sent.")
    if stored.error:
        raise ValidationError("The card could not be sent. Please try again.")
    if not stored.created:
        return stored
    record(
        "conversations.referral.sent",
        actor=sender,
        target_type="conversations.thread",
        target_id=thread.pk,
        request=request,
        details={"resource": resource.pk, "seq": stored.seq},
    )
    rule = _rules.get(thread.kind)
    if rule is not None and rule.sent is not None:
        rule.sent(thread, sender)
    event = {
        "type": "chat.message",
        "sender_id": sender.pk,
        "body": "",
        "key": client_key,
        "seq": stored.seq,
        "at": stored.created_at_iso,
        "card": selectors.card_of(resource).as_frame(),
    }
    thread_id, sender_id = thread.pk, sender.pk
    transaction.on_commit(lambda: _after_commit(thread_id, sender_id, event))
    return stored


def _after_commit(thread_id: int, sender_id: int, event: dict[str, Any]) -> None:
    send_chat_event(thread_id, event)
    # The one who was not looking is told, as for a message sent over the socket (and at the same gate).
    others = [uid for uid in selectors.member_ids(thread_id) if uid != sender_id]
    for uid in presence.absent(thread_id, others):
        if cache.add(f"chat.offline.{thread_id}.{uid}", 1, OFFLINE_NOTICE_GATE_SECONDS):
            message_waiting(thread_id, uid)


def compose_context(thread: Thread, user: Any) -> dict[str, Any]:
    """What the "Send a referral" list under the compose box needs: for the supporter side only, the cards and a
    fresh token that makes each button's idempotency key (a repeat of the same rendered button sends nothing)."""
    if not can_send_referrals(thread, user):
        return {"referral_cards": []}
    return {"referral_cards": referral_choices(), "referral_token": secrets.token_hex(8)}
