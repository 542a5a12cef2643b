"""Referral cards: the supporter sends a referral service in one click; both sides see it as a card, never as
pasted text; a repeated click of the same button sends nothing more; members cannot send one."""

from __future__ import annotations

import pytest
from django.urls import reverse

from alongside.audit.models import AuditEvent, Outcome
from alongside.connections.services import close_connection
from alongside.conversations.models import Message, MessageKind
from alongside.conversations.referrals import send_referral
from alongside.conversations.selectors import SUMMARY_LENGTH, history, message_frame
from alongside.conversations.services import post_message
from alongside.library.models import Category
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def dhas(db):  # type: ignore[no-untyped-def]
    return factories.ResourceFactory(
        title="Doctors' Health Advisory Service",
        description="Confidential advice for doctors and medical students, day and night.\nSecond line.",
        url="https://www.dhas.org.au/",
        phone="1300 374 377",
        category=Category.DOCTORS_HEALTH,
        is_referral=True,
    )


def _send(client, thread, resource, key="ref-abc", **extra):  # type: ignore[no-untyped-def]
    data = {"resource": resource.pk, "key": key, "next": reverse("conversations:thread", kwargs={"pk": thread.pk})}
    return client.post(reverse("conversations:send_referral", kwargs={"pk": thread.pk}), data, **extra)


def test_the_supporter_sees_send_a_referral_and_the_member_does_not(thread, dhas, member_client, supporter_client):
    url = reverse("conversations:thread", kwargs={"pk": thread.pk})
    supporter_page = supporter_client.get(url).content.decode()
    assert "Send a referral" in supporter_page and "Doctors&#x27; Health Advisory Service" in supporter_page
    assert "Send a referral" not in member_client.get(url).content.decode()


def test_a_resource_not_marked_as_a_referral_service_is_not_offered(thread, supporter_client):
    factories.ResourceFactory(title="A reading list", is_referral=False)
    page = supporter_client.get(reverse("conversations:thread", kwargs={"pk": thread.pk})).content.decode()
    assert "A reading list" not in page and "Send a referral" not in page


def test_one_click_sends_one_card_carrying_the_resource_and_no_text(thread, dhas, supporter, supporter_client):
    response = _send(supporter_client, thread, dhas)
    assert response.status_code == 302 and response["Location"] == f"/threads/{thread.pk}/"
    message = Message.objects.get(thread=thread)
    assert (message.kind, message.resource_id, message.body, message.seq) == (MessageKind.REFERRAL, dhas.pk, "", 1)
    assert message.sender_id == supporter.pk
    event = AuditEvent.objects.get(action="conversations.referral.sent")
    assert event.details == {"resource": dhas.pk, "seq": 1}


def test_the_same_button_twice_sends_one_card(thread, dhas, supporter_client):
    _send(supporter_client, thread, dhas, key="ref-1")
    _send(supporter_client, thread, dhas, key="ref-1")
    assert Message.objects.filter(thread=thread).count() == 1
    _send(supporter_client, thread, dhas, key="ref-2")  # a fresh page's button: a second card, the next seq
    assert list(Message.objects.filter(thread=thread).values_list("seq", flat=True)) == [1, 2]


def test_a_card_follows_the_thread_sequence_of_ordinary_messages(thread, dhas, member, supporter):
    post_message(thread_id=thread.pk, sender_id=member.pk, client_key="m1", body="Any ideas who I could see?")
    send_referral(thread=thread, sender=supporter, resource_id=dhas.pk, client_key="ref-x")
    thread.refresh_from_db()
    assert thread.last_seq == 2
    assert Message.objects.get(seq=2).kind == MessageKind.REFERRAL


def test_a_member_cannot_send_a_card(thread, dhas, member_client):
    response = _send(member_client, thread, dhas)
    assert response.status_code == 403
    assert not Message.objects.exists()
    assert AuditEvent.objects.filter(action="conversations.referral.send", outcome=Outcome.DENIED).exists()


def test_an_outsider_gets_a_404(thread, dhas, outsider_client):
    assert _send(outsider_client, thread, dhas).status_code == 404
    assert not Message.objects.exists()


def test_a_resource_that_is_not_a_referral_service_is_refused(thread, supporter_client):
    reading = factories.ResourceFactory(is_referral=False)
    response = _send(supporter_client, thread, reading)
    assert response.status_code == 302
    assert not Message.objects.exists()


def test_a_closed_connection_takes_no_card(thread, connection, dhas, member, supporter_client):
    close_connection(connection=connection, actor=member)
    _send(supporter_client, thread, dhas)
    assert not Message.objects.exists()


def test_both_sides_see_the_card_in_the_history(thread, dhas, supporter, member_client, supporter_client):
    send_referral(thread=thread, sender=supporter, resource_id=dhas.pk, client_key="ref-x")
    for client in (member_client, supporter_client):
        page = client.get(reverse("conversations:thread", kwargs={"pk": thread.pk})).content.decode()
        assert f'data-card="{dhas.pk}"' in page
        assert 'href="https://www.dhas.org.au/"' in page and 'href="tel:1300374377"' in page
        assert "Confidential advice for doctors and medical students, day and night." in page
        assert "Second line." not in page  # one line of the description


def test_a_deleted_resource_still_shows_as_a_card_no_longer_listed(thread, dhas, supporter, member_client):
    send_referral(thread=thread, sender=supporter, resource_id=dhas.pk, client_key="ref-x")
    dhas.delete()
    page = member_client.get(reverse("conversations:thread", kwargs={"pk": thread.pk})).content.decode()
    assert "A resource that is no longer listed." in page
    line = history(thread, viewer_id=supporter.pk)[0][0]
    assert line.card is not None and line.card.gone


def test_the_replayed_frame_carries_a_small_card(thread, dhas, member, supporter):
    send_referral(thread=thread, sender=supporter, resource_id=dhas.pk, client_key="ref-x")
    frame = message_frame(Message.objects.get(), viewer_id=member.pk, names={supporter.pk: "Bob"})
    assert frame["card"] == {
        "id": dhas.pk,
        "title": "Doctors' Health Advisory Service",
        "summary": "Confidential advice for doctors and medical students, day and night.",
        "url": "https://www.dhas.org.au/",
        "phone": "1300 374 377",
        "tel": "tel:1300374377",
    }
    assert frame["body"] == "" and frame["mine"] is False


def test_a_long_description_is_cut_to_one_short_line(thread, supporter):
    long = factories.ResourceFactory(description="word " * 100, is_referral=True)
    send_referral(thread=thread, sender=supporter, resource_id=long.pk, client_key="ref-x")
    line = history(thread, viewer_id=supporter.pk)[0][0]
    assert line.card is not None and len(line.card.summary) == SUMMARY_LENGTH and line.card.summary.endswith("…")


def test_with_htmx_the_list_is_redrawn_with_fresh_buttons(thread, dhas, supporter_client):
    response = _send(supporter_client, thread, dhas, key="ref-1", HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert response.status_code == 200 and "Card sent." in body
    assert 'value="ref-1"' not in body  # the next click is a new card, not a repeat of this one
    assert f'value="/threads/{thread.pk}/"' in body
