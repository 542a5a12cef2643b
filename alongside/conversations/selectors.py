"""Reads for threads and messages."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, F, Q

from alongside.accounts.models import FORMER_MEMBER
from alongside.conversations.models import Message, MessageKind, Thread, ThreadMember
from alongside.library.models import Resource

FORMER_SENDER = FORMER_MEMBER[0].upper() + FORMER_MEMBER[1:]
"""The sender of a message whose author deleted their account (the message row stays, without its words)."""
HISTORY_LIMIT = 200
"""Messages rendered on the thread page; older ones are not shown."""
REPLAY_LIMIT = 500
"""The most messages replayed to a resuming client; further behind, it is told to reload."""


def sender_name(sender_id: int | None, names: dict[int, str]) -> str:
    """How a message's sender is shown: their display name, or "A former member" once they deleted their account."""
    if sender_id is None:
        return FORMER_SENDER
    return names.get(sender_id, "Someone")


def peer_names(thread_id: int, *, viewer_id: int) -> str:
    """The other people of the thread by display name; a thread whose other person deleted their account has
    none left: "a former member"."""
    names = member_names(thread_id)
    names.pop(viewer_id, None)
    return ", ".join(sorted(names.values())) or FORMER_MEMBER


def member_names(thread_id: int) -> dict[int, str]:
    """Display names of the thread's members, by user id (peers never see anything else). A member with a name of
    their own in this thread (a debrief guest, who has no profile) is shown by it."""
    rows = ThreadMember.objects.filter(thread_id=thread_id).select_related("user__profile")
    return {row.user_id: row.shown_name or row.user.display_name for row in rows}


def member_ids(thread_id: int) -> list[int]:
    return list(
        ThreadMember.objects.filter(thread_id=thread_id, left_at__isnull=True).values_list("user_id", flat=True)
    )


SUMMARY_LENGTH = 140
"""Characters of a resource's description on its referral card: one line."""


@dataclass(frozen=True)
class Card:
    """A referral card as both sides see it. ``gone``: its resource was deleted from the library since."""

    resource_id: int | None
    title: str = ""
    summary: str = ""
    url: str = ""
    phone: str = ""
    phone_href: str = ""

    @property
    def gone(self) -> bool:
        return self.resource_id is None

    def as_frame(self) -> dict[str, Any]:
        """The card in a chat frame: small (id, title, one line, link, phone when it has one)."""
        if self.gone:
            return {"gone": True}
        result: dict[str, Any] = {"id": self.resource_id, "title": self.title, "summary": self.summary, "url": self.url}
        if self.phone:
            result["phone"] = self.phone
            result["tel"] = self.phone_href
        return result


def summary_of(description: str) -> str:
    """The description's first line, shortened to ``SUMMARY_LENGTH`` characters."""
    first = " ".join((description.strip().splitlines() or [""])[0].split())
    return first if len(first) <= SUMMARY_LENGTH else first[: SUMMARY_LENGTH - 1].rstrip() + "…"


def card_of(resource: Resource | None) -> Card:
    if resource is None:
        return Card(resource_id=None)
    return Card(
        resource_id=resource.pk,
        title=resource.title,
        summary=summary_of(resource.description),
        url=resource.url,
        phone=resource.phone,
        phone_href=resource.phone_href if resource.phone else "",
    )


def _card(message: Message) -> Card | None:
    return card_of(message.resource) if message.kind == MessageKind.REFERRAL else None


def message_frame(message: Message, *, viewer_id: int, names: dict[int, str]) -> dict[str, Any]:
    """A stored message as the chat socket sends it (see docs/conversations.md)."""
    if message.deleted_at is not None:
        return {"type": "deleted", "seq": message.seq}
    card = _card(message)
    return frame(
        seq=message.seq,
        sender_id=message.sender_id,
        body=message.body,
        at=message.created_at.isoformat(),
        key=message.client_key,
        viewer_id=viewer_id,
        names=names,
        card=card.as_frame() if card is not None else None,
    )


def frame(
    *,
    seq: int,
    sender_id: int | None,
    body: str,
    at: str,
    key: str,
    viewer_id: int,
    names: dict[int, str],
    card: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The one place a message frame is built, replayed or live: the sender's display name, never more, and
    the idempotency key only on the viewer's own messages (it lets their other tabs and outbox match it up).
    A referral card comes as ``card`` (``Card.as_frame``) with an empty body."""
    result: dict[str, Any] = {
        "type": "message",
        "seq": seq,
        "sender": sender_name(sender_id, names),
        "body": body,
        "at": at,
        "mine": sender_id == viewer_id,
    }
    if card is not None:
        result["card"] = card
    if result["mine"]:
        result["key"] = key
    return result


def messages_after(thread_id: int, after: int, limit: int = REPLAY_LIMIT) -> list[Message]:
    """Up to ``limit + 1`` messages after seq ``after``, oldest first (one more than asked shows there are more)."""
    return list(
        Message.objects.filter(thread_id=thread_id, seq__gt=after)
        .select_related("resource")
        .order_by("seq")[: limit + 1]
    )


@dataclass(frozen=True)
class HistoryLine:
    seq: int
    sender: str
    body: str
    at: Any
    mine: bool
    deleted: bool
    card: Card | None = None


def history(thread: Thread, *, viewer_id: int, limit: int = HISTORY_LIMIT) -> tuple[list[HistoryLine], bool]:
    """The newest ``limit`` messages, oldest first, and whether older ones exist."""
    names = member_names(thread.pk)
    newest = list(Message.objects.filter(thread=thread).select_related("resource").order_by("-seq")[: limit + 1])
    more = len(newest) > limit
    lines = [
        HistoryLine(
            seq=m.seq,
            sender=sender_name(m.sender_id, names),
            body=m.body,
            at=m.created_at,
            mine=m.sender_id == viewer_id,
            deleted=m.deleted_at is not None,
            card=_card(m),
        )
        for m in reversed(newest[:limit])
    ]
    return lines, more


def read_state(thread_id: int, *, viewer_id: int) -> tuple[int, int]:
    """(how far the viewer has read, how far the others have read: the lowest of their marks)."""
    marks = dict(ThreadMember.objects.filter(thread_id=thread_id).values_list("user_id", "last_read_seq"))
    mine = marks.pop(viewer_id, 0)
    return mine, min(marks.values(), default=0)


def unread_count(thread_id: int, user_id: int) -> int:
    """Messages from others after the person's read mark."""
    mark = (
        ThreadMember.objects.filter(thread_id=thread_id, user_id=user_id)
        .values_list("last_read_seq", flat=True)
        .first()
    )
    if mark is None:
        return 0
    return (
        Message.objects.filter(thread_id=thread_id, seq__gt=mark, deleted_at__isnull=True)
        .exclude(sender_id=user_id)
        .count()
    )


@dataclass(frozen=True)
class UnreadThread:
    thread_id: int
    unread: int
    peer: str


def unread_threads(user_id: int) -> list[UnreadThread]:
    """The person's threads with unread messages from others, with the other side's display name."""
    memberships = (
        ThreadMember.objects.filter(user_id=user_id, left_at__isnull=True, thread__last_seq__gt=F("last_read_seq"))
        .annotate(
            unread=Count(
                "thread__messages",
                filter=Q(thread__messages__seq__gt=F("last_read_seq"), thread__messages__deleted_at__isnull=True)
                & ~Q(thread__messages__sender_id=user_id),
            )
        )
        .filter(unread__gt=0)
        .order_by("-thread__last_seq")
    )
    rows = list(memberships)
    others: dict[int, list[str]] = {}
    if rows:  # everyone else's display names in one query, not one per thread
        members = (
            ThreadMember.objects.filter(thread_id__in=[row.thread_id for row in rows])
            .exclude(user_id=user_id)
            .select_related("user__profile")
        )
        for member in members:
            others.setdefault(member.thread_id, []).append(member.user.display_name)
    return [
        UnreadThread(row.thread_id, row.unread, ", ".join(sorted(others.get(row.thread_id, []))) or "Someone")
        for row in rows
    ]
