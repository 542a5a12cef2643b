"""A conduct report from both ends: the member reports from their connection and follows its state; a coordinator
finds it at the top of the queue, takes it and closes it with a note the member never sees. Every page passes axe."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import BrowserContext, expect

from alongside.connections.tests import factories as connection_factories
from tests import factories
from tests.browser.conftest import BOTH_SIZES, LiveServer, screenshot, serious_violations

pytestmark = pytest.mark.browser


def test_a_report_goes_from_the_member_to_a_coordinator_and_back_as_a_state(
    asgi_live_server: LiveServer, new_context: Callable[..., BrowserContext], sign_in_as: Any
) -> None:
    alice, bob = factories.member(display_name="Alice"), factories.supporter(display_name="Bob")
    carol = factories.coordinator(display_name="Carol")
    connection = connection_factories.connection(alice, bob)
    member = new_context().new_page()
    sign_in_as(member.context, alice)
    coordinator = new_context().new_page()
    sign_in_as(coordinator.context, carol)
    problems: list[str] = []

    member.goto(f"/connections/{connection.pk}/")
    expect(member.locator("[data-boundaries]")).to_have_attribute("open", "")
    member.get_by_role("link", name="Report Bob's conduct to the coordinators").click()
    expect(member.get_by_role("heading", level=1)).to_have_text("Report Bob's conduct")
    problems += serious_violations(member, sizes=BOTH_SIZES)
    member.get_by_label("Crossed a boundary").check()
    member.get_by_label("What happened").fill("Kept asking to meet outside the service.")
    member.get_by_role("button", name="Send to the coordinators").click()
    expect(member).to_have_url(re.compile(r"/reports/\d+/$"))
    expect(member.locator("[data-report-state]")).to_contain_text("We have it")
    problems += serious_violations(member, sizes=BOTH_SIZES)
    screenshot(member, "report-sent")

    coordinator.goto("/console/reports/")
    row = coordinator.locator('tr[data-state="open"]')
    expect(row).to_contain_text("Alice")
    problems += serious_violations(coordinator, sizes=BOTH_SIZES)
    screenshot(coordinator, "console-reports")
    row.get_by_role("link").click()
    expect(coordinator.locator("body")).to_contain_text("Kept asking to meet outside the service.")
    coordinator.get_by_role("button", name="Take this report").click()
    expect(coordinator.locator("[data-report-state]")).to_contain_text("Taken by Carol")
    problems += serious_violations(coordinator, sizes=BOTH_SIZES)

    member.reload()
    expect(member.locator("[data-report-state]")).to_contain_text("A coordinator is looking at it")

    coordinator.get_by_label("Outcome").fill("Called Bob; agreed to keep to the service.")
    coordinator.get_by_role("button", name="Close with this outcome").click()
    expect(coordinator).to_have_url(re.compile(r"/console/reports/$"))
    expect(coordinator.locator('tr[data-state="closed"]')).to_have_count(1)

    member.reload()
    expect(member.locator("[data-report-state]")).to_contain_text("Closed")
    expect(member.locator("body")).not_to_contain_text("Called Bob")

    coordinator.goto("/console/reviews/")
    expect(coordinator.get_by_role("heading", level=1)).to_have_text("Reviews overdue")
    problems += serious_violations(coordinator, sizes=BOTH_SIZES)
    assert problems == []
