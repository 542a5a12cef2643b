"""The retention policy: ended conversations' words are erased after the coordinators' number of days."""

from __future__ import annotations

import datetime as dt

import pytest

from alongside.audit.models import AuditEvent
from alongside.connections.services import close_connection
from alongside.connections.tests import factories as connection_factories
from alongside.conversations.models import Message, Thread, ThreadKind
from alongside.conversations.services import (
    close_thread,
    create_thread,
    get_or_create_thread_for_connection,
    post_message,
)
from alongside.lib.time import now
from alongside.phoneline.models import Callback
from alongside.phoneline.services import cancel_callback, request_callback
from alongside.safety import retention
from alongside.safety.retention import apply_retention
from alongside.service.models import ServiceSettings
from alongside.service.selectors import forget_snapshot
from tests import factories

pytestmark = pytest.mark.django_db

DAY = dt.timedelta(days=1)


def _set_days(days: int) -> None:
    ServiceSettings.objects.update_or_create(pk=1, defaults={"message_retention_days": days})
    forget_snapshot()


def _thread_with(member, supporter, *bodies: str) -> Thread:
    connection = connection_factories.connection(member, supporter)
    thread = get_or_create_thread_for_connection(connection=connection)
    for n, body in enumerate(bodies):
        post_message(
            thread_id=thread.pk, sender_id=member.pk if n % 2 == 0 else supporter.pk, client_key=f"k{n}", body=body
        )
    return thread


def _end(thread: Thread, member) -> None:
    assert thread.connection is not None
    close_connection(connection=thread.connection, actor=member)


def test_an_ended_conversations_words_are_erased_after_the_set_days_and_others_are_left_alone(member, supporter):
    ended = _thread_with(member, supporter, "ENDED-CANARY one", "ENDED-CANARY two")
    _end(ended, member)
    ongoing = _thread_with(factories.member(), supporter, "ONGOING-CANARY")

    assert apply_retention(at=now() + 29 * DAY).messages == 0
    assert Message.objects.filter(thread=ended, deleted_at__isnull=True).count() == 2

    result = apply_retention(at=now() + 31 * DAY)

    assert (result.messages, result.threads) == (2, 1)
    erased = list(Message.objects.filter(thread=ended).order_by("seq"))
    assert [(m.seq, m.body, m.deleted_at is not None) for m in erased] == [(1, "", True), (2, "", True)]
    ended.refresh_from_db()
    assert ended.erased_at is not None and ended.last_seq == 2
    assert Message.objects.get(thread=ongoing).body == "ONGOING-CANARY"


def test_a_talk_now_thread_counts_from_when_it_closed(member, supporter):
    thread = create_thread(kind=ThreadKind.TALKNOW, user_ids=[member.pk, supporter.pk])
    post_message(thread_id=thread.pk, sender_id=member.pk, client_key="a", body="TALKNOW-CANARY")
    assert apply_retention(at=now() + 400 * DAY).messages == 0  # still open: kept however old
    close_thread(thread=thread)
    assert apply_retention(at=now() + 31 * DAY).messages == 1
    assert Message.objects.get(thread=thread).body == ""


def test_the_coordinators_number_of_days_is_respected(member, supporter):
    _set_days(60)
    thread = _thread_with(member, supporter, "kept for sixty days")
    _end(thread, member)
    assert apply_retention(at=now() + 31 * DAY).messages == 0
    assert apply_retention(at=now() + 61 * DAY).messages == 1


def test_a_second_run_finds_nothing_left_and_each_run_is_audited_with_counts_only(member, supporter):
    thread = _thread_with(member, supporter, "AUDIT-CANARY")
    _end(thread, member)
    later = now() + 31 * DAY
    first = apply_retention(at=later)
    second = apply_retention(at=later)
    assert (first.messages, first.threads) == (1, 1)
    assert (second.messages, second.threads) == (0, 0)
    events = list(AuditEvent.objects.filter(action="safety.retention.applied").order_by("id"))
    assert [e.details["messages"] for e in events] == [1, 0]
    assert set(events[0].details) == {
        "days",
        "messages",
        "threads",
        "group_messages",
        "request_notes",
        "callback_names",
    }
    assert "AUDIT-CANARY" not in str(events[0].details)


def test_it_erases_in_batches_until_nothing_is_left(member, supporter, monkeypatch):
    monkeypatch.setattr(retention, "BATCH", 2)
    thread = _thread_with(member, supporter, *[f"message {n}" for n in range(5)])
    _end(thread, member)
    assert apply_retention(at=now() + 31 * DAY).messages == 5
    assert not Message.objects.filter(thread=thread).exclude(body="").exists()


def test_a_request_note_and_a_call_back_name_go_with_the_same_policy(member, supporter):
    thread = _thread_with(member, supporter)
    assert thread.connection is not None
    request = thread.connection.request
    request.note = "NOTE-CANARY"
    request.save()
    callback, _token = request_callback(
        name="CALLER-CANARY", phone="0412 345 678", window_starts_at=now(), window_ends_at=now() + DAY
    )
    cancel_callback(callback=callback)
    _end(thread, member)

    result = apply_retention(at=now() + 31 * DAY)

    assert (result.request_notes, result.callback_names) == (1, 1)
    request.refresh_from_db()
    assert request.note == ""
    assert Callback.objects.get(pk=callback.pk).name == ""


def test_the_thread_page_says_how_long_messages_are_kept_and_then_when_they_were_erased(
    member, supporter, member_client
):
    _set_days(45)
    thread = _thread_with(member, supporter, "hello")
    page = member_client.get(f"/threads/{thread.pk}/").content.decode()
    assert "Messages are kept for 45 days after this conversation ends, then erased" in page
    _end(thread, member)
    apply_retention(at=now() + 46 * DAY)
    page = member_client.get(f"/threads/{thread.pk}/").content.decode()
    assert "Messages in this conversation were erased on" in page
    assert "Message erased" in page
    assert "hello" not in page


def test_the_about_page_gives_the_policy_in_plain_words(client):
    _set_days(14)
    page = client.get("/about/").content.decode()
    assert "Messages are kept for 14 days after a" in page
    assert "words of every message in it are erased" in page


def test_coordinators_set_the_days_in_the_console(coordinator_client):
    page = coordinator_client.get("/console/settings/").content.decode()
    assert "Days messages are kept after a conversation ends" in page
