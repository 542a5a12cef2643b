"""Referral cards in a talk-now conversation: the supporter who accepted sends them, the contact record says a
referral was given, and the member cannot send one."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from alongside.conversations.models import Message, MessageKind
from alongside.lib.time import now
from alongside.roster.models import ContactRecord
from alongside.talknow import services
from alongside.talknow.models import TalkNowOffer, TalkNowRequest
from tests import factories

pytestmark = pytest.mark.django_db


def _client(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def talking(member, supporter):  # type: ignore[no-untyped-def]
    req = TalkNowRequest.objects.create(member=member, medium="chat", next_step_at=now() + dt.timedelta(minutes=3))
    offer = TalkNowOffer.objects.create(request=req, supporter=supporter)
    services.accept(offer=offer, supporter=supporter)
    req.refresh_from_db()
    return req


@pytest.fixture
def gp_finder(db):  # type: ignore[no-untyped-def]
    return factories.ResourceFactory(
        title="healthdirect: find a GP",
        url="https://www.healthdirect.gov.au/australian-health-services",
        is_referral=True,
    )


def _send(client, req, resource):  # type: ignore[no-untyped-def]
    page = reverse("talknow:conversation", kwargs={"pk": req.pk})
    url = reverse("conversations:send_referral", kwargs={"pk": req.thread_id})
    return client.post(url, {"resource": resource.pk, "key": "ref-1", "next": page})


def test_the_supporter_sends_a_card_and_the_contact_record_says_a_referral_was_given(talking, supporter, gp_finder):
    page = _client(supporter).get(reverse("talknow:conversation", kwargs={"pk": talking.pk})).content.decode()
    assert "Send a referral" in page and "healthdirect: find a GP" in page
    response = _send(_client(supporter), talking, gp_finder)
    assert response["Location"] == reverse("talknow:conversation", kwargs={"pk": talking.pk})
    assert Message.objects.get(thread_id=talking.thread_id).kind == MessageKind.REFERRAL
    assert ContactRecord.objects.get(pk=talking.contact_id).referral_given


def test_the_member_cannot_send_a_card_and_nothing_is_marked(talking, member, gp_finder):
    page = _client(member).get(reverse("talknow:conversation", kwargs={"pk": talking.pk})).content.decode()
    assert "Send a referral" not in page
    assert _send(_client(member), talking, gp_finder).status_code == 403
    assert not Message.objects.exists()
    assert not ContactRecord.objects.get(pk=talking.contact_id).referral_given


def test_both_see_the_card_in_the_conversation(talking, member, supporter, gp_finder):
    _send(_client(supporter), talking, gp_finder)
    for user in (member, supporter):
        page = _client(user).get(reverse("talknow:conversation", kwargs={"pk": talking.pk})).content.decode()
        assert f'data-card="{gp_finder.pk}"' in page
