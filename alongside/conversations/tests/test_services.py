"""Storing messages: per-thread seqs, idempotency keys, closed threads, read marks and deletion."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import connection as db

from alongside.audit.models import AuditEvent
from alongside.connections.models import ConnectionStatus
from alongside.conversations.models import BODY_MAX_LENGTH, Message, ThreadMember
from alongside.conversations.services import (
    Pending,
    delete_message,
    get_or_create_thread_for_connection,
    mark_read,
    post_message,
    store_messages,
)
from alongside.lib.time import now

pytestmark = pytest.mark.django_db


def test_a_connection_gets_one_thread_with_both_sides_as_members(connection, member, supporter):
    first = get_or_create_thread_for_connection(connection=connection)
    again = get_or_create_thread_for_connection(connection=connection)
    assert first.pk == again.pk
    assert set(ThreadMember.objects.filter(thread=first).values_list("user_id", flat=True)) == {
        member.pk,
        supporter.pk,
    }


def test_messages_get_consecutive_seqs_in_the_order_sent(thread, member, supporter):
    results = store_messages(
        [
            Pending(thread.pk, member.pk, "a", "hello"),
            Pending(thread.pk, supporter.pk, "b", "hi there"),
            Pending(thread.pk, member.pk, "c", "how are you?"),
        ]
    )
    assert [r.seq for r in results] == [1, 2, 3]
    assert all(r.created for r in results)
    assert list(Message.objects.filter(thread=thread).values_list("seq", "body")) == [
        (1, "hello"),
        (2, "hi there"),
        (3, "how are you?"),
    ]
    thread.refresh_from_db()
    assert thread.last_seq == 3


def test_the_same_key_sent_twice_yields_the_same_message(thread, member):
    first = post_message(thread_id=thread.pk, sender_id=member.pk, client_key="k1", body="once")
    again = post_message(thread_id=thread.pk, sender_id=member.pk, client_key="k1", body="once")
    in_one_batch = store_messages([Pending(thread.pk, member.pk, "k2", "x"), Pending(thread.pk, member.pk, "k2", "x")])
    assert (first.seq, first.created) == (1, True)
    assert (again.seq, again.created) == (1, False)
    assert [(r.seq, r.created) for r in in_one_batch] == [(2, True), (2, False)]
    assert Message.objects.filter(thread=thread).count() == 2


def test_two_senders_may_use_the_same_key(thread, member, supporter):
    mine = post_message(thread_id=thread.pk, sender_id=member.pk, client_key="same", body="a")
    theirs = post_message(thread_id=thread.pk, sender_id=supporter.pk, client_key="same", body="b")
    assert (mine.seq, theirs.seq) == (1, 2)


def test_an_outsider_cannot_post_and_the_rest_of_the_batch_is_stored(thread, member, outsider):
    results = store_messages(
        [Pending(thread.pk, outsider.pk, "x", "let me in"), Pending(thread.pk, member.pk, "y", "ok")]
    )
    assert results[0].error == "forbidden"
    assert (results[1].seq, results[1].error) == (1, "")
    assert not Message.objects.filter(sender=outsider).exists()


@pytest.mark.parametrize(
    ("body", "error"), [("", "empty"), ("   ", "empty"), ("x" * (BODY_MAX_LENGTH + 1), "too_long")]
)
def test_empty_or_oversized_messages_are_refused(thread, member, body, error):
    with pytest.raises(ValidationError) as caught:
        post_message(thread_id=thread.pk, sender_id=member.pk, client_key="k", body=body)
    assert error in str(caught.value)
    assert not Message.objects.exists()


def test_a_message_of_exactly_the_limit_is_stored(thread, member):
    assert post_message(thread_id=thread.pk, sender_id=member.pk, client_key="k", body="x" * BODY_MAX_LENGTH).seq == 1


def test_a_closed_connections_thread_takes_no_new_messages(thread, connection, member):
    post_message(thread_id=thread.pk, sender_id=member.pk, client_key="before", body="before")
    connection.status, connection.ended_at = ConnectionStatus.CLOSED, now()
    connection.save()
    with pytest.raises(ValidationError, match="closed"):
        post_message(thread_id=thread.pk, sender_id=member.pk, client_key="after", body="after")
    assert Message.objects.filter(thread=thread).count() == 1


def test_the_read_mark_only_moves_forward_and_never_past_the_end(thread, member):
    post_message(thread_id=thread.pk, sender_id=member.pk, client_key="1", body="one")
    post_message(thread_id=thread.pk, sender_id=member.pk, client_key="2", body="two")
    assert mark_read(thread_id=thread.pk, user_id=member.pk, seq=99) == 2
    mark_read(thread_id=thread.pk, user_id=member.pk, seq=1)
    assert ThreadMember.objects.get(thread=thread, user=member).last_read_seq == 2


def test_only_the_author_can_delete_and_the_text_is_gone(thread, member, supporter):
    post_message(thread_id=thread.pk, sender_id=member.pk, client_key="1", body="regret this")
    assert not delete_message(thread_id=thread.pk, user_id=supporter.pk, seq=1)
    assert delete_message(thread_id=thread.pk, user_id=member.pk, seq=1)
    gone = Message.objects.get(thread=thread, seq=1)
    assert gone.body == "" and gone.deleted_at is not None
    event = AuditEvent.objects.get(action="conversations.message.deleted")
    assert event.actor_id == member.pk and "regret" not in str(event.details)


def test_a_dump_of_the_message_table_shows_no_message_text(thread, member):
    secret = "I have been struggling since the night shift"
    post_message(thread_id=thread.pk, sender_id=member.pk, client_key="1", body=secret)
    with db.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {Message._meta.db_table}")
        dump = repr(cursor.fetchall())
    assert "struggling" not in dump and "night shift" not in dump
    assert Message.objects.get(thread=thread).body == secret
