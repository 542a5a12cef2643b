"""A circle's facilitator, on a phone, raises a concern about one of its members from the group: they choose the
member by display name, the coordinator on call is alerted, and the concern names that member and the group's
thread. axe finds nothing serious on the form at phone and desktop sizes."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import BrowserContext, expect

from alongside.groups import services as group_services
from alongside.groups.models import GroupKind, JoinPolicy
from alongside.notifications.models import Kind, Notification
from alongside.safety.models import Concern, Source
from tests import factories
from tests.browser.conftest import BOTH_SIZES, MOBILE, LiveServer, screenshot, serious_violations, wait_for_db

pytestmark = pytest.mark.browser


def test_a_facilitator_raises_a_concern_about_a_member_from_their_phone(
    asgi_live_server: LiveServer, new_context: Callable[..., BrowserContext], sign_in_as: Any
) -> None:
    bob, carol = factories.supporter(display_name="Bob"), factories.coordinator(display_name="Carol")
    alice, olive = factories.member(display_name="Alice"), factories.member(display_name="Olive")
    factories.on_call(primary=[carol])
    group = group_services.create_group(
        kind=GroupKind.CIRCLE, name="Interns 2027", created_by=carol, facilitators=[bob], join_policy=JoinPolicy.OPEN
    )
    for person in (alice, olive):
        group_services.join(group=group, user=person, accepted_agreement=True)
    context = new_context()
    sign_in_as(context, bob)
    page = context.new_page()
    page.set_viewport_size(MOBILE)

    page.goto(f"/groups/{group.pk}/concern/")
    expect(page.get_by_role("heading", name="Raise a concern")).to_be_visible()
    problems = serious_violations(page, sizes=BOTH_SIZES)
    screenshot(page, "group-concern")
    page.get_by_label("Who is it about?").select_option(label="Olive")
    page.get_by_label("Worried: a coordinator should know and follow up soon.").check()
    page.get_by_role("button", name="Raise the concern").click()
    expect(page.get_by_role("heading", name="The coordinator on call has been alerted")).to_be_visible()
    concern_id = int(re.search(r"/concerns/(\d+)/raised/", page.url).group(1))  # type: ignore[union-attr]

    concern = wait_for_db(lambda: Concern.objects.filter(pk=concern_id).first(), "the concern")
    assert (concern.source, concern.member_id, concern.thread_id) == (Source.GROUP, olive.pk, group.thread_id)
    wait_for_db(lambda: Notification.objects.filter(user=carol, kind=Kind.CONCERN_RAISED).first(), "the alert")
    assert problems == []
