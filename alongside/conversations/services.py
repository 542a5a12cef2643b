"""Writes for threads and messages.

Messages are stored by ``store_messages``: one transaction for a whole batch, so that the
group-commit writer (``writer.py``) can store everything that arrived while the previous
batch was committing. Each message gets the next seq of its thread under a lock on the
thread row (``SELECT ... FOR UPDATE`` on PostgreSQL; SQLite's writers are serialised
anyway), which keeps seqs gap-free and unique across several processes. A key already
stored for that sender and thread returns the stored message instead of a new one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import connection as db_connection
from django.db import transaction

from alongside.audit.services import record
from alongside.connections.models import Connection
from alongside.conversations.access import send_refusals
from alongside.conversations.models import (
    BODY_MAX_LENGTH,
    CLIENT_KEY_MAX_LENGTH,
    Message,
    MessageKind,
    Thread,
    ThreadKind,
    ThreadMember,
)
from alongside.lib.time import now


@transaction.atomic
def get_or_create_thread_for_connection(*, connection: Connection) -> Thread:
    """The connection's thread, made on first use with the member and the supporter as its members."""
    thread, created = Thread.objects.get_or_create(connection=connection, defaults={"kind": ThreadKind.CONNECTION})
    if created:
        for user_id in connection.parties():
            ThreadMember.objects.get_or_create(thread=thread, user_id=user_id)
    return thread


@transaction.atomic
def create_thread(*, kind: str, user_ids: Sequence[int]) -> Thread:
    """A new thread that is no connection's (talk now, groups) with these people as its members."""
    if kind == ThreadKind.CONNECTION:
        raise ValueError("a connection's thread is made by get_or_create_thread_for_connection")
    thread = Thread.objects.create(kind=kind)
    ThreadMember.objects.bulk_create(
        [ThreadMember(thread=thread, user_id=user_id) for user_id in sorted(set(user_ids))]
    )
    return thread


@dataclass(frozen=True)
class Pending:
    """A message a client asked to send, not yet stored."""

    thread_id: int
    sender_id: int
    client_key: str
    body: str
    resource_id: int | None = None
    """A referral card: the library resource it carries (and no body)."""


@dataclass(frozen=True)
class Stored:
    """The outcome for one ``Pending``: the stored message, or why it was refused (``error``)."""

    seq: int = 0
    created_at_iso: str = ""
    created: bool = False
    """False when the key had been stored before: the message was not stored (or broadcast) again."""
    error: str = ""

    @property
    def ok(self) -> bool:
        return not self.error


def check_pending(item: Pending) -> str:
    """Why a message can't be stored as sent ('' when it can). Checked before queueing and again when stored."""
    if item.resource_id is not None:
        if item.body != "":
            return "card_with_body"
    elif not isinstance(item.body, str) or not item.body.strip():
        return "empty"
    if len(item.body) > BODY_MAX_LENGTH:
        return "too_long"
    if not isinstance(item.client_key, str) or not 1 <= len(item.client_key) <= CLIENT_KEY_MAX_LENGTH:
        return "bad_key"
    return ""


def store_messages(items: Sequence[Pending]) -> list[Stored]:
    """Store a batch of messages in one transaction and say, for each, what its seq is.

    Items for a closed thread, from someone who is not a member, or that fail the checks,
    get an ``error`` and store nothing; the rest of the batch is unaffected.
    """
    results: list[Stored | None] = [None] * len(items)
    for index, item in enumerate(items):
        problem = check_pending(item)
        if problem:
            results[index] = Stored(error=problem)
    wanted = sorted({item.thread_id for index, item in enumerate(items) if results[index] is None})
    if wanted:
        with transaction.atomic():
            _store_locked(items, results, wanted)
    return [result if result is not None else Stored(error="failed") for result in results]


def _pairs_by_kind(
    items: Sequence[Pending], results: list[Stored | None], threads: dict[int, Thread]
) -> dict[str, set[tuple[int, int]]]:
    """The batch's (thread, sender) pairs by their thread's kind, for the kinds' own send checks."""
    pairs: dict[str, set[tuple[int, int]]] = {}
    for index, item in enumerate(items):
        thread = threads.get(item.thread_id)
        if results[index] is None and thread is not None:
            pairs.setdefault(thread.kind, set()).add((item.thread_id, item.sender_id))
    return pairs


def _store_locked(items: Sequence[Pending], results: list[Stored | None], thread_ids: list[int]) -> None:
    # Lock the threads in id order, so that two writers never wait on each other in a cycle.
    threads = {
        t.pk: t
        for t in Thread.objects.select_for_update(of=("self",))
        .select_related("connection")
        .filter(pk__in=thread_ids)
        .order_by("pk")
    }
    members = set(
        ThreadMember.objects.filter(thread_id__in=thread_ids, left_at__isnull=True).values_list("thread_id", "user_id")
    )
    refusals = send_refusals(_pairs_by_kind(items, results, threads))
    at = now()
    to_create: list[tuple[int, Message]] = []
    seen: dict[tuple[int, int, str], int] = {}  # the same key twice in one batch: the second is a repeat
    repeats: list[tuple[int, int]] = []
    for index, item in enumerate(items):
        if results[index] is not None:
            continue
        thread = threads.get(item.thread_id)
        if thread is None or (item.thread_id, item.sender_id) not in members:
            results[index] = Stored(error="forbidden")
            continue
        if thread.closed_at is not None or (thread.connection is not None and not thread.connection.is_active):
            results[index] = Stored(error="closed")
            continue
        refused = refusals.get((item.thread_id, item.sender_id))
        if refused:
            results[index] = Stored(error=refused)
            continue
        key = (item.thread_id, item.sender_id, item.client_key)
        if key in seen:
            repeats.append((index, seen[key]))
            continue
        seen[key] = index
    # Keys stored by an earlier batch (a client retrying after a lost ack) return the stored message.
    # One query for the whole batch: a superset (any of these keys in any of these threads), matched below.
    earlier: dict[tuple[int, int, str], Message] = {}
    if seen:
        for found in Message.objects.filter(
            thread_id__in={key[0] for key in seen}, client_key__in={key[2] for key in seen}
        ).only("thread_id", "seq", "sender_id", "client_key", "created_at"):
            earlier[(found.thread_id, found.sender_id or 0, found.client_key)] = found
    for key, index in seen.items():
        if key in earlier:
            found = earlier[key]
            results[index] = Stored(seq=found.seq, created_at_iso=found.created_at.isoformat(), created=False)
            continue
        thread = threads[key[0]]
        thread.last_seq += 1
        item = items[index]
        message = Message(
            thread_id=key[0],
            seq=thread.last_seq,
            sender_id=key[1],
            client_key=key[2],
            body=item.body,
            kind=MessageKind.TEXT if item.resource_id is None else MessageKind.REFERRAL,
            resource_id=item.resource_id,
        )
        message.created_at = at
        to_create.append((index, message))
    if to_create:
        Message.objects.bulk_create([message for _index, message in to_create])
        moved = {message.thread_id for _index, message in to_create}
        # One plain statement per thread: bulk_update's CASE expression cost a tenth of the server's CPU.
        with db_connection.cursor() as cursor:
            cursor.executemany(
                f"UPDATE {Thread._meta.db_table} SET last_seq = %s WHERE id = %s",  # noqa: S608 - our own table name
                [(threads[pk].last_seq, pk) for pk in sorted(moved)],
            )
        for index, message in to_create:
            results[index] = Stored(seq=message.seq, created_at_iso=at.isoformat(), created=True)
    for index, first in repeats:
        done = results[first]
        assert done is not None
        results[index] = Stored(seq=done.seq, created_at_iso=done.created_at_iso, created=False, error=done.error)


def post_message(*, thread_id: int, sender_id: int, client_key: str, body: str) -> Stored:
    """Store one message (outside the websocket: tests, future HTTP fallbacks). Raises ``ValidationError``."""
    result = store_messages([Pending(thread_id, sender_id, client_key, body)])[0]
    if result.error:
        raise ValidationError(result.error)
    return result


@transaction.atomic
def mark_read(*, thread_id: int, user_id: int, seq: int) -> int:
    """Move the reader's mark forward to ``seq`` (never back, never past the end). Returns the new mark."""
    last_seq = Thread.objects.filter(pk=thread_id).values_list("last_seq", flat=True).first() or 0
    seq = max(0, min(int(seq), last_seq))
    ThreadMember.objects.filter(thread_id=thread_id, user_id=user_id, last_read_seq__lt=seq).update(last_read_seq=seq)
    return seq


@transaction.atomic
def delete_message(*, thread_id: int, user_id: int, seq: int) -> bool:
    """Delete one's own message: the body goes, the seq stays. False when there is nothing of theirs to delete."""
    changed = Message.objects.filter(thread_id=thread_id, seq=seq, sender_id=user_id, deleted_at__isnull=True).update(
        body="", deleted_at=now()
    )
    if changed:
        record(
            "conversations.message.deleted",
            actor=get_user_model()(pk=user_id),
            target_type="conversations.thread",
            target_id=thread_id,
            details={"seq": int(seq)},
        )
    return bool(changed)


@transaction.atomic
def close_thread(*, thread: Thread) -> None:
    Thread.objects.filter(pk=thread.pk, closed_at__isnull=True).update(closed_at=now())
