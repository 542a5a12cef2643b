"""A call socket whose browser vanishes mid-send still ends its call and leaves its groups."""

from __future__ import annotations

import pytest
from asgiref.sync import sync_to_async
from django.conf import settings
from django.test import Client

from alongside.calls.models import Call
from alongside.lib.sockets import call_group, user_group
from alongside.lib.tests.cut import Browser, group_members

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio, pytest.mark.usefixtures("close_sockets")]


def _cookie(user) -> str:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


@pytest.mark.parametrize("cut_at", [0, 1, 2])
async def test_a_caller_cut_while_the_call_starts_ends_the_call_and_leaves_no_group(thread, member, cut_at):
    """Sends: the accept, then call.config (after the call record is written). Cut before either, the socket
    must not leave a ringing call or a channel in the thread's group behind."""
    browser = Browser(f"/ws/calls/{thread.pk}/", await sync_to_async(_cookie)(member), cut_at)
    await browser.run(['{"type": "call.invite"}'])
    assert len(browser.received) == cut_at
    for group in (call_group(thread.pk), user_group(member.pk)):
        assert await group_members(group) == []
    assert [call.is_open async for call in Call.objects.all()] in ([], [False])
