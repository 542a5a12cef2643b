"""Delete my account: immediate; every session ends; their words are erased; the peer keeps the history and sees
"a former member"; what must be kept no longer names them."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.sessions.models import Session
from django.test import Client

from alongside.accounts.models import Profile, User
from alongside.audit import chain
from alongside.audit.models import AuditEvent
from alongside.connections.models import Connection, ConnectionStatus, EndKind, RequestStatus, SupportRequest
from alongside.connections.tests import factories as connection_factories
from alongside.conversations.models import Message, Thread
from alongside.conversations.services import get_or_create_thread_for_connection, post_message
from alongside.lib.time import now
from alongside.notifications.models import Kind, Notification
from alongside.phoneline.models import Callback, CallbackStatus, OwnNumber
from alongside.phoneline.services import request_callback, set_own_number
from alongside.roster.models import ContactFormat, ContactRecord, ShiftPlace
from alongside.roster.services import open_contact
from alongside.service.selectors import ServiceSnapshot
from alongside.talknow import services as talknow
from alongside.talknow.models import State
from tests import factories

pytestmark = pytest.mark.django_db

DELETE = {"confirm": "delete", "password": factories.PASSWORD}


def _signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def open_service(monkeypatch: pytest.MonkeyPatch) -> None:
    """Talk now without depending on the wall clock (opening hours are tested in the service app)."""
    monkeypatch.setattr(ServiceSnapshot, "is_open_at", lambda self, moment: True)


@pytest.fixture
def story() -> dict[str, Any]:
    alice = factories.member(display_name="Alice")
    bob = factories.supporter(display_name="Bob")
    connection = connection_factories.connection(alice, bob)
    thread = get_or_create_thread_for_connection(connection=connection)
    post_message(thread_id=thread.pk, sender_id=alice.pk, client_key="a1", body="ALICE-ONE")
    post_message(thread_id=thread.pk, sender_id=bob.pk, client_key="b1", body="BOB-TWO")
    post_message(thread_id=thread.pk, sender_id=alice.pk, client_key="a2", body="ALICE-THREE")
    return {"alice": alice, "bob": bob, "connection": connection, "thread": thread}


def _delete(user: User) -> Client:
    client = _signed_in(user)
    response = client.post("/profile/delete/", DELETE)
    assert response.status_code == 302
    return client


def test_the_account_and_the_profile_are_gone_at_once_with_an_id_only_audit_event(story):
    alice = story["alice"]
    profile_pk = alice.profile.pk
    _delete(alice)
    assert not User.objects.filter(pk=alice.pk).exists()
    assert not Profile.objects.filter(pk=profile_pk).exists()
    event = AuditEvent.objects.get(action="accounts.deleted")
    assert event.subject_id == alice.pk and alice.email not in str(event.details)


def test_every_other_signed_in_device_is_signed_out(story, django_capture_on_commit_callbacks):
    alice = story["alice"]
    phone = _signed_in(alice)
    phone_key = phone.session.session_key
    assert phone.get("/profile/").status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        _delete(alice)
    assert not Session.objects.filter(session_key=phone_key).exists()
    assert phone.get("/profile/").status_code == 302  # to the sign-in page


def test_someone_elses_session_is_left_alone(story):
    bob_client = _signed_in(story["bob"])
    _delete(story["alice"])
    assert bob_client.get("/profile/").status_code == 200


def test_their_words_are_erased_and_the_rows_keep_their_seq(story):
    _delete(story["alice"])
    rows = list(Message.objects.filter(thread=story["thread"]).order_by("seq").values_list("seq", "body", "sender_id"))
    assert rows == [(1, "", None), (2, "BOB-TWO", story["bob"].pk), (3, "", None)]
    assert Message.objects.filter(thread=story["thread"], deleted_at__isnull=False).count() == 2


def test_the_peer_still_has_the_thread_and_sees_a_former_member(story):
    bob_client = _signed_in(story["bob"])
    _delete(story["alice"])
    page = bob_client.get(f"/threads/{story['thread'].pk}/").content.decode()
    assert "Messages with a former member" in page
    assert "A former member" in page and "BOB-TWO" in page
    assert "ALICE-ONE" not in page and "ALICE-THREE" not in page and "Alice" not in page
    for seq in (1, 2, 3):
        assert f'data-seq="{seq}"' in page


def test_the_connection_closes_for_the_peer_who_is_told_only_that_it_closed(story):
    bob_client = _signed_in(story["bob"])
    _delete(story["alice"])
    connection = Connection.objects.get(pk=story["connection"].pk)
    assert connection.member_id is None and connection.status == ConnectionStatus.CLOSED
    assert connection.end_kind == EndKind.ACCOUNT_DELETED
    assert Notification.objects.filter(user=story["bob"], kind=Kind.CONNECTION_CLOSED).count() == 1
    page = bob_client.get(f"/connections/{connection.pk}/").content.decode()
    assert "Supporting a former member" in page and "Closed on" in page
    assert "deleted" not in page.lower()
    home = bob_client.get("/")
    assert home.status_code == 200


def test_the_connections_request_stays_without_their_note(story):
    request = story["connection"].request
    request.note = "NOTE-CANARY"
    request.save()
    _delete(story["alice"])
    request.refresh_from_db()
    assert request.member_id is None and request.note == ""


def test_a_live_support_request_is_withdrawn_and_kept_without_them(story):
    carol = factories.member(display_name="Carol")
    live = connection_factories.support_request(carol, note="CAROL-NOTE")
    _delete(carol)
    kept = SupportRequest.objects.get(pk=live.pk)
    assert (kept.status, kept.member_id, kept.note) == (RequestStatus.WITHDRAWN, None, "")


def test_a_waiting_talk_now_request_is_cancelled_and_a_call_back_loses_its_number(story, open_service):
    carol = factories.member(display_name="Carol")
    factories.shift(primary=[story["bob"]])
    req = talknow.ask(member=carol, medium="chat")
    callback, _token = request_callback(
        name="Carol",
        phone="0412 345 678",
        window_starts_at=now(),
        window_ends_at=now() + dt.timedelta(hours=2),
        requester=carol,
    )
    _delete(carol)
    req.refresh_from_db()
    assert req.state == State.CANCELLED and req.member_id is None
    callback.refresh_from_db()
    assert callback.status == CallbackStatus.CANCELLED and callback.phone == ""


def test_a_connected_talk_now_conversation_ends_and_the_supporter_keeps_it(story, open_service):
    carol = factories.member(display_name="Carol")
    factories.shift(primary=[story["bob"]])
    req = talknow.ask(member=carol, medium="chat")
    offer = req.offers.get(supporter=story["bob"])
    talknow.accept(offer=offer, supporter=story["bob"])
    req.refresh_from_db()
    post_message(thread_id=req.thread_id, sender_id=carol.pk, client_key="c", body="CAROL-CANARY")
    _delete(carol)
    req.refresh_from_db()
    assert req.state == State.ENDED and req.member_id is None
    assert Thread.objects.get(pk=req.thread_id).closed_at is not None
    assert Message.objects.get(thread_id=req.thread_id).body == ""
    # Ended, as when either side ends it: the supporter is sent on (to file the contact record), not refused.
    assert _signed_in(story["bob"]).get(f"/talk-now/{req.pk}/conversation/").status_code == 302


def test_their_own_number_notifications_and_devices_go(story):
    alice = story["alice"]
    set_own_number(user=alice, number="0412 345 678")
    _delete(alice)
    assert not OwnNumber.objects.filter(user_id=alice.pk).exists()
    assert not Notification.objects.filter(user_id=alice.pk).exists()


def test_a_supporter_deleting_loses_their_shifts_and_their_contact_records_stay_without_them(story):
    bob = story["bob"]
    factories.shift(primary=[bob])
    contact = open_contact(supporter_id=bob.pk, format=ContactFormat.PHONE)
    _delete(bob)
    assert not ShiftPlace.objects.filter(supporter_id=bob.pk).exists()
    kept = ContactRecord.objects.get(pk=contact.pk)
    assert kept.supporter_id is None
    assert Notification.objects.filter(user=story["alice"], kind=Kind.CONNECTION_CLOSED).exists()


def test_the_audit_chain_still_verifies_after_a_deletion(story):
    chain.seal()
    _delete(story["alice"])
    chain.seal()
    verdict = chain.verify()
    assert verdict.intact and verdict.unsealed == 0
    assert AuditEvent.objects.filter(subject_id=story["alice"].pk).exists()


def test_the_wrong_password_deletes_nothing(story):
    client = _signed_in(story["alice"])
    response = client.post("/profile/delete/", {"confirm": "delete", "password": "nope"})
    assert response.status_code == 200
    assert User.objects.filter(pk=story["alice"].pk).exists()
    assert Message.objects.get(thread=story["thread"], seq=1).body == "ALICE-ONE"
    assert Callback.objects.count() == 0
