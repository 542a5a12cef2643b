"""From "find me a peer" to an agreed first session, in two browsers: a member in Melbourne, a supporter in Perth.

The member asks through the real form, reads three suggestions with reasons (never a workplace or an email),
and picks one; the supporter signs in with their second factor, accepts the offer, and both see the connection
on their home page. The member proposes a time, the supporter agrees, and each reads it in their own time zone.
A second test runs axe on every page of that journey, at desktop and phone widths, with the forms' errors shown.
"""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, TypeVar

import pytest
from playwright.sync_api import Browser, BrowserContext, Locator, Page, expect

from alongside.accounts.models import User
from alongside.connections import services
from alongside.connections.models import Connection, Offer, Suggestion, SupportRequest
from alongside.directory.models import CareerStage, Language, Specialty, Topic, Workplace
from alongside.matching.weekly import Window
from alongside.meetings import services as sessions
from alongside.meetings.models import Session, SessionStatus
from alongside.supporters.models import SupporterProfile
from tests import factories
from tests.browser.conftest import (
    BOTH_SIZES,
    BrowserProblems,
    off_the_browser_thread,
    screenshot,
    serious_violations,
    totp_code,
)

pytestmark = pytest.mark.browser

T = TypeVar("T")
MELBOURNE, PERTH = "Australia/Melbourne", "Australia/Perth"
NOTE = "Fellowship exams in March and I am not sleeping."


@dataclass
class Cast:
    member: User
    chosen: User  # the supporter the member picks (in Perth)
    others: list[User]  # the other two suggested supporters
    colleague: User  # shares the member's workplace: the best fit on paper, never suggested
    workplaces: list[str]


def _evenings(days: list[int], start: str, end: str) -> list[dict[str, Any]]:
    return [{"day": d, "start": start, "end": end} for d in days]


def _supporter(
    name: str,
    *,
    time_zone: str,
    stage: str,
    workplace: Workplace,
    topics: list[Topic],
    specialties: list[Specialty],
    availability: list[dict[str, Any]],
    bio: str,
) -> User:
    """A supporter account with a personal profile and a supporter profile the engine can match."""
    user = factories.supporter(display_name=name)
    person = user.profile  # type: ignore[attr-defined]
    person.career_stage, person.time_zone = stage, time_zone
    person.save()
    person.workplaces.set([workplace])
    profile = SupporterProfile.objects.create(
        user=user, bio=bio, formats=["chat", "video"], capacity=3, availability=availability
    )
    profile.topics.set(topics)
    profile.specialties.set(specialties)
    return user


def _cast() -> Cast:
    """A member in Melbourne, four supporters with room: three who fit and one from the member's own workplace."""
    exams = Topic.objects.create(slug="exams", name="Exams", experience_phrase="fellowship exams", position=1)
    sleep = Topic.objects.create(slug="sleep", name="Sleep and fatigue", position=2)
    grief = Topic.objects.create(slug="grief", name="Grief and loss", position=3)
    Language.objects.get_or_create(code="en", defaults={"name": "English"})
    psychiatry = Specialty.objects.create(name="Psychiatry")
    general_practice = Specialty.objects.create(name="General practice")
    monash, alfred, austin, fiona = (
        Workplace.objects.create(name=n) for n in ("Monash Health", "Alfred Health", "Austin Health", "Fiona Stanley")
    )

    member = factories.member(display_name="Alice")
    person = member.profile  # type: ignore[attr-defined]
    person.career_stage, person.time_zone, person.specialty = CareerStage.REGISTRAR, MELBOURNE, psychiatry
    person.save()
    person.workplaces.set([monash])

    tue_thu = [1, 3]
    chosen = _supporter(
        "Bob",
        time_zone=PERTH,
        stage=CareerStage.CONSULTANT,
        workplace=fiona,
        topics=[exams, sleep],
        specialties=[psychiatry, general_practice],
        availability=_evenings(tue_thu, "16:00", "19:00"),  # 7 pm to 10 pm in Melbourne, Tuesday and Thursday
        bio="Psychiatrist who sat the fellowship exams twice.",
    )
    dana = _supporter(
        "Dana",
        time_zone=MELBOURNE,
        stage=CareerStage.REGISTRAR,
        workplace=alfred,
        topics=[exams],
        specialties=[],
        availability=_evenings(tue_thu, "18:00", "21:00"),
        bio="Registrar, happy to listen.",
    )
    evan = _supporter(
        "Evan",
        time_zone=MELBOURNE,
        stage=CareerStage.REGISTRAR,
        workplace=austin,
        topics=[grief],
        specialties=[general_practice],
        availability=_evenings([1, 2], "18:00", "21:00"),
        bio="GP registrar.",
    )
    fay = _supporter(
        "Fay",
        time_zone=MELBOURNE,
        stage=CareerStage.CONSULTANT,
        workplace=monash,
        topics=[exams, sleep, grief],
        specialties=[psychiatry],
        availability=_evenings(tue_thu, "17:00", "22:00"),
        bio="Works where you do.",
    )
    return Cast(member, chosen, [dana, evan], fay, ["Monash Health", "Alfred Health", "Austin Health", "Fiona Stanley"])


def _next_tuesday() -> dt.date:
    today = dt.datetime.now(zoneinfo.ZoneInfo(MELBOURNE)).date()
    return today + dt.timedelta(days=(1 - today.weekday()) % 7 or 7)


def _clock(at: dt.datetime) -> str:
    return f"{at.hour % 12 or 12}:{at.minute:02d} {'am' if at.hour < 12 else 'pm'}"


def _reads(day: dt.date, hour: int) -> tuple[str, str]:
    """How the member (Melbourne) and the supporter (Perth) should read a Melbourne time, worked out here."""
    start = dt.datetime.combine(day, dt.time(hour), tzinfo=zoneinfo.ZoneInfo(MELBOURNE))
    perth = start.astimezone(zoneinfo.ZoneInfo(PERTH))

    label = f"{start:%a} {start.day} {start:%b}"
    return (
        f"{label}, {_clock(start)} your time (Melbourne) — {_clock(perth)} Perth for your peer",
        f"{label}, {_clock(perth)} your time (Perth) — {_clock(start)} Melbourne for your peer",
    )


def _sign_in_with_code(page: Page, user: User) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label(re.compile(r"^Password")).fill(factories.PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_label("Six-digit code from your authenticator app").fill(totp_code(user.totp_secret))  # type: ignore[attr-defined]
    page.get_by_role("button", name="Sign in").click()


def _dd(scope: Locator, term: str) -> Locator:
    """The description beside a term in a definition list."""
    return scope.locator(f"dt:text-is('{term}') + dd")


@pytest.fixture
def perth_context(
    browser: Browser, browser_context_args: dict[str, Any], browser_problems: BrowserProblems
) -> Iterator[BrowserContext]:
    """A second browser whose clock is in Perth (pytest-playwright's factory fixes the time zone)."""
    context = browser_problems.watch(browser.new_context(**{**browser_context_args, "timezone_id": PERTH}))
    yield context
    context.close()
    browser_problems.assert_none()


def test_a_member_finds_a_peer_who_accepts_and_they_agree_a_first_session_each_in_their_own_time(
    page: Page,
    perth_context: BrowserContext,
    sign_in_as: Callable[[BrowserContext, Any], None],
    browser_problems: BrowserProblems,
) -> None:
    cast = _cast()
    browser_problems.watch(page.context)
    sign_in_as(page.context, cast.member)

    # --- the member asks, through the real form ---
    page.goto("/")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Find a peer").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ask for an ongoing peer")
    screenshot(page, "request-form")
    page.get_by_label("Exams").check()
    page.get_by_label("Sleep and fatigue").check()
    page.get_by_role("group", name="Same specialty?").get_by_label("I'd prefer someone from my specialty").check()
    expect(page.get_by_role("group", name="Languages you could talk in").get_by_label("English")).to_be_checked()
    ways = page.get_by_role("group", name="Ways you would be happy to meet")
    ways.get_by_label("Phone (through the service's number)").uncheck()
    ways.get_by_label("In-app voice").uncheck()
    page.get_by_label("Tuesday evening").check()
    page.get_by_label("Thursday evening").check()
    page.get_by_label("A short note for your peer (optional)").fill(NOTE)
    page.get_by_role("button", name="Find peers who fit").click()

    # --- three suggestions, each with reasons; never a workplace or an email ---
    expect(page.get_by_role("heading", level=1)).to_have_text("Your request for an ongoing peer")
    found = page.get_by_role("region", name="Peers who fit your request")
    cards = found.get_by_role("article")
    expect(cards).to_have_count(3)
    expect(cards.get_by_role("heading", level=3)).to_have_text(["Bob", "Dana", "Evan"])
    for card in cards.all():
        expect(card.get_by_role("list").last.get_by_role("listitem").first).to_be_visible()
    bob = found.get_by_role("article", name="Bob")
    expect(bob.get_by_role("heading", name="Why we suggest Bob")).to_be_visible()
    expect(bob.locator(".reasons li")).to_have_text(
        [
            "Has supported colleagues through fellowship exams and sleep and fatigue",
            "Same specialty",
            "Free on Tuesday and Thursday evenings",
        ]
    )
    expect(_dd(bob, "Specialties")).to_have_text("General practice, Psychiatry")
    expect(_dd(bob, "Times you share")).to_have_text("Tuesday 7 pm – 10 pm; Thursday 7 pm – 10 pm (your time)")
    text = found.inner_text()
    assert "Fay" not in text, "a supporter from the member's own workplace was suggested"
    assert not Suggestion.objects.filter(supporter__user=cast.colleague).exists()
    for secret in [*cast.workplaces, cast.chosen.email, *(u.email for u in cast.others), cast.colleague.email, "@"]:
        assert secret not in text, f"{secret!r} shown on a suggestion card"
    screenshot(page, "suggestions")
    bob.get_by_role("button", name="Choose Bob").click()
    expect(page.get_by_role("status")).to_contain_text("We have asked Bob. They have 48 hours to reply")
    expect(page.get_by_role("heading", name="Waiting for a reply")).to_be_visible()

    # --- the supporter, in Perth, signs in with their second factor and accepts ---
    theirs = perth_context.new_page()
    _sign_in_with_code(theirs, cast.chosen)
    expect(theirs.get_by_role("heading", level=1)).to_have_text("Welcome back, Bob")
    theirs.get_by_role("link", name="You have 1 offer to support a colleague waiting for your reply.").click()
    expect(theirs.get_by_role("heading", level=1)).to_have_text("Offers to support a colleague")
    offer = theirs.get_by_role("listitem").filter(has=theirs.get_by_role("heading", name=re.compile("^Offer from")))
    expect(_dd(offer, "Would like to talk about")).to_have_text("Exams, Sleep and fatigue")
    expect(offer.locator("blockquote")).to_have_text(NOTE)
    deadline = Offer.objects.get().expires_at.astimezone(zoneinfo.ZoneInfo(PERTH))  # in Perth, not the server's zone
    expect(_dd(offer, "Reply by")).to_have_text(
        f"{deadline:%A} {deadline.day} {deadline:%B}, {_clock(deadline)} (your time)"
    )
    assert "Monash" not in offer.inner_text() and cast.member.email not in offer.inner_text()
    screenshot(theirs, "offers")
    offer.get_by_role("button", name="Accept").click()
    expect(theirs.get_by_role("heading", level=1)).to_have_text("Supporting Alice")
    expect(theirs.get_by_role("status")).to_contain_text("Your connection has started.")
    expect(theirs.locator("blockquote.note")).to_have_text(NOTE)

    # --- both see the connection on their home page ---
    theirs.goto("/")
    expect(theirs.get_by_role("region", name="Your ongoing peer support")).to_contain_text("Supporting Alice")
    page.goto("/")
    ongoing = page.get_by_role("region", name="Your ongoing peer support")
    ongoing.get_by_role("link", name="Your peer Bob").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your peer Bob")
    screenshot(page, "connection")

    # --- the member proposes a time from the connection page ---
    page.get_by_role("link", name="Sessions: propose or agree a time").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sessions with Bob")
    page.get_by_role("link", name="Propose a time").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Propose a time to meet Bob")
    day = _next_tuesday()
    page.get_by_label("Date").fill(day.isoformat())
    page.get_by_label("Time").fill("19:00")
    page.get_by_label("Length").select_option(label="60 minutes")
    page.get_by_role("group", name="How you will meet").get_by_label("Video link").check()
    page.get_by_role("button", name="Propose this time").click()
    members_reading, supporters_reading = _reads(day, 19)
    expect(page.get_by_role("heading", level=1)).to_have_text("Session with Bob")
    facts = page.get_by_role("main").locator("dl.facts")
    expect(_dd(facts, "When")).to_have_text(members_reading)
    expect(_dd(facts, "Status")).to_have_text("Proposed by you, waiting for Bob")

    # --- the supporter finds it from the connection and agrees ---
    theirs.get_by_role("link", name="Supporting Alice").click()
    theirs.get_by_role("link", name="Sessions: propose or agree a time").click()
    coming = theirs.get_by_role("region", name="Coming up")
    expect(coming).to_contain_text(supporters_reading)
    expect(coming).to_contain_text("waiting for you")
    coming.get_by_role("link", name=re.compile("^Open this session")).click()
    their_facts = theirs.get_by_role("main").locator("dl.facts")
    expect(_dd(their_facts, "When")).to_have_text(supporters_reading)
    expect(_dd(their_facts, "Status")).to_have_text("Proposed by Alice, waiting for you")
    theirs.get_by_role("button", name="Agree to this time").click()
    expect(theirs.get_by_role("status")).to_contain_text("Agreed.")
    expect(_dd(their_facts, "Status")).to_have_text("Agreed")
    expect(_dd(their_facts, "When")).to_have_text(supporters_reading)

    # --- and the member sees the same agreed time, in Melbourne ---
    page.reload()
    expect(_dd(facts, "Status")).to_have_text("Agreed")
    expect(_dd(facts, "When")).to_have_text(members_reading)
    screenshot(page, "session")
    session = Session.objects.get()
    assert session.status == SessionStatus.AGREED
    assert session.starts_at == dt.datetime.combine(day, dt.time(19), tzinfo=zoneinfo.ZoneInfo(MELBOURNE))
    assert Connection.objects.get().supporter.user == cast.chosen


# --- accessibility of the same pages (the checks of test_accessibility.py) ------------------------------------


def _journey_so_far(cast: Cast) -> tuple[SupportRequest, Connection, Session]:
    """The same journey made through the services: a request, its suggestions, an accepted offer, a session."""
    member = cast.member
    support_request = services.create_request(
        member=member,
        topics=Topic.objects.filter(slug__in=["exams", "sleep"]),
        languages=Language.objects.filter(code="en"),
        formats=["chat", "video"],
        availability=[Window(1, 17 * 60, 22 * 60), Window(3, 17 * 60, 22 * 60)],
        same_specialty="prefer",
        note=NOTE,
    )
    suggestion = Suggestion.objects.get(request=support_request, supporter__user=cast.chosen)
    offer = services.pick(support_request=support_request, suggestion=suggestion, actor=member)
    connection = services.accept_offer(offer=offer, actor=cast.chosen)
    day = _next_tuesday()
    session = sessions.propose(
        connection=connection,
        actor=member,
        starts_at=dt.datetime.combine(day, dt.time(19), tzinfo=zoneinfo.ZoneInfo(MELBOURNE)),
        minutes=60,
        medium="video",
    )
    return support_request, connection, session


def test_the_ongoing_support_pages_have_no_serious_accessibility_violations(
    page: Page,
    new_context: Callable[..., BrowserContext],
    sign_in_as: Callable[[BrowserContext, Any], None],
    browser_problems: BrowserProblems,
) -> None:
    cast = _cast()
    other = factories.member(display_name="Olive")  # asks too, so the offers page has a pending offer
    support_request, connection, session = off_the_browser_thread(lambda: _journey_so_far(cast))
    others_request = off_the_browser_thread(
        lambda: services.create_request(
            member=other,
            topics=Topic.objects.filter(slug="exams"),
            languages=Language.objects.filter(code="en"),
            formats=["chat"],
            availability=[Window(1, 17 * 60, 22 * 60)],
            note="Short note.",
        )
    )
    off_the_browser_thread(
        lambda: services.pick(
            support_request=others_request,
            suggestion=Suggestion.objects.get(request=others_request, supporter__user=cast.chosen),
            actor=other,
        )
    )

    members = page
    sign_in_as(members.context, other)  # Olive's request is still choosing: the suggestions page
    theirs = new_context().new_page()
    sign_in_as(theirs.context, cast.chosen)
    alices = new_context().new_page()
    sign_in_as(alices.context, cast.member)
    newcomer = new_context().new_page()  # no request yet: the request form
    sign_in_as(newcomer.context, factories.member(display_name="Nina"))

    visits: list[tuple[str, Page, str, str]] = [
        ("request-form", newcomer, "/support/ongoing/new/", "Ask for an ongoing peer"),
        ("suggestions", members, f"/support/ongoing/{others_request.pk}/", "Your request for an ongoing peer"),
        ("request-matched", alices, f"/support/ongoing/{support_request.pk}/", "Your request for an ongoing peer"),
        ("offers", theirs, "/supporter/offers/", "Offers to support a colleague"),
        ("connection-member", alices, f"/connections/{connection.pk}/", "Your peer Bob"),
        ("connection-supporter", theirs, f"/connections/{connection.pk}/", "Supporting Alice"),
        ("session-list", theirs, f"/connections/{connection.pk}/sessions/", "Sessions with Alice"),
        ("session-propose", alices, f"/connections/{connection.pk}/sessions/propose/", "Propose a time to meet Bob"),
        ("session", theirs, f"/sessions/{session.pk}/", "Session with Alice"),
        ("home-supporter", theirs, "/", "Welcome back, Bob"),
        ("supporter-profile", theirs, "/supporter/profile/", "Your supporter profile"),
    ]
    problems: dict[str, list[str]] = {}
    for name, who, path, heading in visits:
        response = who.goto(path)
        assert response is not None and response.status == 200, name
        expect(who.get_by_role("heading", level=1)).to_have_text(heading)
        if found := serious_violations(who, sizes=BOTH_SIZES):
            problems[name] = found
        screenshot(who, f"axe-{name}")

    # The two forms with their errors showing.
    newcomer.goto("/support/ongoing/new/")
    newcomer.get_by_role("group", name="Languages you could talk in").get_by_label("English").uncheck()
    newcomer.get_by_role("button", name="Find peers who fit").click()
    expect(newcomer.get_by_role("alert")).to_have_text("Nothing was sent. Please fix the problems marked below.")
    expect(newcomer.locator("#id_languages_error")).to_have_text("Choose at least one language you could talk in.")
    if found := serious_violations(newcomer, sizes=BOTH_SIZES):
        problems["request-form-errors"] = found
    screenshot(newcomer, "request-form-errors")
    theirs.goto(f"/sessions/{session.pk}/another-time/")
    theirs.get_by_role("button", name=re.compile("Propose")).click()
    expect(theirs.get_by_role("alert")).to_have_text("Nothing was proposed. Please fix the problems marked below.")
    if found := serious_violations(theirs, sizes=BOTH_SIZES):
        problems["session-counter-errors"] = found
    screenshot(theirs, "session-counter-errors")

    problems.update({"CSP": browser_problems.csp} if browser_problems.csp else {})
    assert problems == {}
