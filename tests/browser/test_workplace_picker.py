"""The workplace picker: type to filter, choose and remove by keyboard alone, and a plain select without JS.

Also the time zone: a newcomer's browser zone is pre-selected on the first profile.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, expect

from alongside.accounts.models import Profile
from alongside.directory.models import Workplace
from tests import factories
from tests.browser.conftest import MOBILE, BrowserProblems, LiveServer

pytestmark = pytest.mark.browser

LABEL = "Where you work or study"


@pytest.fixture
def workplaces(asgi_live_server: LiveServer) -> dict[str, Workplace]:
    names = ["Alfred Health", "Monash Health", "Eastern Health", "Western Health", "Austin Health"]
    names += [f"Regional Hospital {i:02d}" for i in range(55)]  # the 60-row list the picker replaces
    return {name: factories.WorkplaceFactory(name=name) for name in names}


def test_a_member_picks_workplaces_by_keyboard_removes_one_and_saves(
    new_context: Callable[..., BrowserContext],
    sign_in_as: Callable[[BrowserContext, Any], None],
    workplaces: dict[str, Workplace],
) -> None:
    member = factories.member(display_name="Keyboard Only")
    context = new_context()
    sign_in_as(context, member)
    page = context.new_page()
    page.set_viewport_size(MOBILE)
    page.goto("/profile/")

    box = page.get_by_role("combobox", name=LABEL)
    expect(page.locator("select[data-picker]")).to_be_hidden()
    box.focus()  # keyboard only from here on
    page.keyboard.type("alf")
    options = page.get_by_role("listbox", name=LABEL).get_by_role("option")
    expect(options).to_have_text(["Alfred Health"])
    page.keyboard.press("Enter")
    chips = page.get_by_role("list", name=f"{LABEL}: chosen")
    expect(chips.get_by_role("listitem")).to_have_text(["Alfred Health×"])

    page.keyboard.type("health")
    expect(options).to_have_count(4)  # Alfred is chosen, so no longer offered
    page.keyboard.press("ArrowDown")  # from Austin (the first match) to Eastern
    page.keyboard.press("Enter")
    expect(chips.get_by_role("listitem")).to_have_text(["Alfred Health×", "Eastern Health×"])
    page.keyboard.type("zzz")
    expect(page.get_by_role("listbox", name=LABEL)).to_contain_text("Nothing matches")
    page.keyboard.press("Escape")
    expect(page.get_by_role("listbox", name=LABEL)).to_be_hidden()

    # Remove Alfred with its own button, reached by keyboard.
    remove = page.get_by_role("button", name="Remove Alfred Health")
    remove.focus()
    page.keyboard.press("Enter")
    expect(chips.get_by_role("listitem")).to_have_text(["Eastern Health×"])
    expect(box).to_be_focused()

    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_role("status")).to_contain_text("Your profile is saved.")
    profile = Profile.objects.get(user=member)
    assert {w.name for w in profile.workplaces.all()} == {"Eastern Health"}
    expect(page.get_by_role("list", name=f"{LABEL}: chosen").get_by_role("listitem")).to_have_text(["Eastern Health×"])


def test_backspace_in_an_empty_box_removes_the_last_choice(
    new_context: Callable[..., BrowserContext],
    sign_in_as: Callable[[BrowserContext, Any], None],
    workplaces: dict[str, Workplace],
) -> None:
    member = factories.member(display_name="Backspacer")
    Profile.objects.get(user=member).workplaces.set([workplaces["Austin Health"], workplaces["Monash Health"]])
    context = new_context()
    sign_in_as(context, member)
    page = context.new_page()
    page.goto("/profile/")
    chips = page.get_by_role("list", name=f"{LABEL}: chosen").get_by_role("listitem")
    expect(chips).to_have_count(2)
    page.get_by_role("combobox", name=LABEL).focus()
    page.keyboard.press("Backspace")
    expect(chips).to_have_count(1)
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_role("status")).to_contain_text("Your profile is saved.")
    assert Profile.objects.get(user=member).workplaces.count() == 1


def test_without_javascript_the_plain_select_still_saves(
    new_context: Callable[..., BrowserContext],
    sign_in_as: Callable[[BrowserContext, Any], None],
    workplaces: dict[str, Workplace],
) -> None:
    member = factories.member(display_name="No Script")
    context = new_context(java_script_enabled=False)
    sign_in_as(context, member)
    page = context.new_page()
    page.goto("/profile/")
    expect(page.get_by_role("combobox", name=LABEL)).to_have_count(0)
    page.get_by_label(LABEL).select_option(label=["Monash Health", "Austin Health"])
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_role("status")).to_contain_text("Your profile is saved.")
    assert {w.name for w in Profile.objects.get(user=member).workplaces.all()} == {"Monash Health", "Austin Health"}


def test_the_request_form_uses_the_picker_for_workplaces_to_avoid(
    new_context: Callable[..., BrowserContext],
    sign_in_as: Callable[[BrowserContext, Any], None],
    workplaces: dict[str, Workplace],
) -> None:
    member = factories.member(display_name="Requester")
    context = new_context()
    sign_in_as(context, member)
    page = context.new_page()
    page.goto("/support/ongoing/new/")
    box = page.get_by_role("combobox", name="Workplaces to avoid")
    box.focus()
    page.keyboard.type("west")
    page.keyboard.press("Enter")
    expect(page.get_by_role("button", name="Remove Western Health")).to_be_visible()
    assert page.locator("select[name=excluded_workplaces]").evaluate(
        "s => Array.from(s.selectedOptions).map(o => o.text)"
    ) == ["Western Health"]


@pytest.fixture
def context_in_zone(
    browser: Browser, browser_problems: BrowserProblems, asgi_live_server: LiveServer
) -> Iterator[Callable[[str], BrowserContext]]:
    """A browser context that believes it is in ``zone`` (the shared contexts are in Melbourne)."""
    made: list[BrowserContext] = []

    def _new(zone: str) -> BrowserContext:
        context = browser.new_context(base_url=asgi_live_server.url, locale="en-AU", timezone_id=zone)
        made.append(browser_problems.watch(context))
        return context

    yield _new
    for context in made:
        context.close()
    browser_problems.assert_none()


@pytest.mark.parametrize(
    ("zone", "listed"),
    [
        ("Australia/Perth", "Australia/Perth"),
        ("Pacific/Auckland", "Pacific/Auckland"),
        ("Asia/Calcutta", "Asia/Kolkata"),  # a legacy alias some browsers report
    ],
)
def test_a_newcomers_browser_time_zone_is_pre_selected(
    context_in_zone: Callable[[str], BrowserContext],
    sign_in_as: Callable[[BrowserContext, Any], None],
    zone: str,
    listed: str,
) -> None:
    newcomer = factories.member(profile=False)
    context = context_in_zone(zone)
    sign_in_as(context, newcomer)
    page = context.new_page()
    page.goto("/profile/setup/")
    expect(page.get_by_label("Time zone")).to_have_value(listed)


def test_a_chosen_time_zone_is_not_replaced_by_the_browsers(
    context_in_zone: Callable[[str], BrowserContext],
    sign_in_as: Callable[[BrowserContext, Any], None],
) -> None:
    member = factories.member(display_name="Settled")
    Profile.objects.filter(user=member).update(time_zone="Australia/Darwin")
    context = context_in_zone("Australia/Perth")
    sign_in_as(context, member)
    page = context.new_page()
    page.goto("/profile/")
    expect(page.get_by_label("Time zone")).to_have_value("Australia/Darwin")
