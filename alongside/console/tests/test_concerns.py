"""The console's concern pages: the list, the timeline, acknowledging, adding, closing, and break-glass."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from alongside.audit.models import AuditEvent, Outcome
from alongside.lib.time import now
from alongside.phoneline.models import OwnNumber
from alongside.safety import alerts
from alongside.safety.breakglass import MAX_FAILURES
from alongside.safety.models import ClosingOutcome, Concern, ConcernEvent, EventKind, Level, Source
from alongside.safety.services import acknowledge, close_concern
from tests import factories
from tests.browser.conftest import totp_code

pytestmark = pytest.mark.django_db

REAL_NAME = "Realname Canary"
PHONE = "+61412345678"


@pytest.fixture
def about(member: Any) -> Any:
    member.profile.real_name = REAL_NAME
    member.profile.save()
    OwnNumber.objects.create(user=member, number=PHONE)
    return member


def _concern(level: str = Level.IMMINENT, member: Any = None, **kwargs: Any) -> Concern:
    return Concern.objects.create(
        level=level, source=Source.THREAD, raised_by=factories.supporter(), member=member, **kwargs
    )


def _handled(coordinator: Any, member: Any, level: str = Level.IMMINENT) -> Concern:
    concern = _concern(level=level, member=member)
    return acknowledge(concern=concern, by=coordinator)


def test_the_list_shows_open_concerns_first_with_their_step_and_handler(coordinator_client: Client, coordinator: Any):
    worried = _concern(level=Level.WORRIED, raised_at=now() - dt.timedelta(minutes=30))
    imminent = _concern()
    alerts.send_first_alert(imminent.pk)
    handled = acknowledge(concern=_concern(level=Level.WORRIED), by=coordinator)
    closed = close_concern(concern=_concern(level=Level.WORRIED), by=coordinator, outcome=ClosingOutcome.SUPPORTED)
    response = coordinator_client.get(reverse("console:concerns"))
    assert [c.pk for c in response.context["open"]] == [imminent.pk, worried.pk, handled.pk]
    assert [c.pk for c in response.context["page"]] == [closed.pk]
    body = response.content.decode()
    assert "Every coordinator" in body  # nobody is on call: the imminent one went to everyone
    assert "Nobody yet" in body and "Carol" in body
    assert 'Concerns <span class="badge">3' in body  # the console's navigation counts the open ones


def test_the_detail_shows_the_whole_timeline_with_channel_and_recipient(coordinator_client: Client, coordinator: Any):
    concern = _concern(level=Level.WORRIED)
    alerts.send_first_alert(concern.pk)
    acknowledge(concern=concern, by=coordinator)
    body = coordinator_client.get(reverse("console:concern", args=[concern.pk])).content.decode()
    assert "alert sent by the app to Carol (Every coordinator)" in body
    assert "alert sent by email to Carol" in body
    assert "acknowledged by Carol" in body
    assert "Acknowledge: I&#x27;m handling it" not in body


def test_acknowledging_from_the_page(coordinator_client: Client, coordinator: Any):
    concern = _concern()
    response = coordinator_client.post(reverse("console:concern_acknowledge", args=[concern.pk]))
    assert response.status_code == 302
    concern.refresh_from_db()
    assert concern.handler_id == coordinator.pk


def test_adding_an_action_and_a_note_from_the_page(coordinator_client: Client, coordinator: Any):
    concern = _concern()
    url = reverse("console:concern_add", args=[concern.pk])
    assert coordinator_client.post(url, {"action": "gp", "note": ""}).status_code == 302
    response = coordinator_client.post(url, {"action": "", "note": ""})
    assert response.status_code == 200 and "Choose an action or write a note." in response.content.decode()
    kinds = list(ConcernEvent.objects.filter(concern=concern).values_list("kind", "action"))
    assert kinds == [(EventKind.ACTION, "gp")]


def test_closing_an_imminent_concern_offers_only_its_two_outcomes(coordinator_client: Client, coordinator: Any):
    concern = _concern()
    url = reverse("console:concern_close", args=[concern.pk])
    form = coordinator_client.get(url).context["form"]
    assert [value for value, _label in form.fields["outcome"].choices] == ["emergency_contacted", "not_needed"]
    response = coordinator_client.post(url, {"outcome": "supported"})
    assert response.status_code == 200 and Concern.objects.get(pk=concern.pk).closed_at is None
    response = coordinator_client.post(url, {"outcome": "not_needed", "reason": ""})
    assert "Write why" in response.content.decode()
    response = coordinator_client.post(url, {"outcome": "not_needed", "reason": "Her GP saw her within the hour"})
    assert response.status_code == 302
    assert Concern.objects.get(pk=concern.pk).outcome == ClosingOutcome.NOT_NEEDED


def test_a_closed_concern_has_no_forms(coordinator_client: Client, coordinator: Any):
    concern = close_concern(concern=_concern(level=Level.WORRIED), by=coordinator, outcome=ClosingOutcome.SUPPORTED)
    body = coordinator_client.get(reverse("console:concern", args=[concern.pk])).content.decode()
    assert "can no longer change" in body
    assert "Add to the timeline" not in body and "Close with an outcome" not in body and "Acknowledge:" not in body
    assert (
        coordinator_client.post(reverse("console:concern_add", args=[concern.pk]), {"note": "late"}).status_code == 302
    )
    assert not ConcernEvent.objects.filter(concern=concern, kind=EventKind.NOTE).exists()


def test_the_coordinator_home_shows_open_concerns_at_the_top(coordinator_client: Client):
    _concern()
    body = coordinator_client.get(reverse("home")).content.decode()
    assert "1 safety concern open" in body and "1 not acknowledged by anyone yet" in body
    assert body.index("safety concern open") < body.index("Roster in the next")


# --- break-glass -------------------------------------------------------------------------------------------------


def _reveal(client: Client, concern: Concern, user: Any, **overrides: str) -> Any:
    data = {
        "reason": "Ambulance needs her address now",
        "password": factories.PASSWORD,
        "code": totp_code(user.totp_secret),
        **overrides,
    }
    return client.post(reverse("console:concern_reveal", args=[concern.pk]), data)


def _password() -> str:
    return factories.PASSWORD


def test_the_handler_of_an_open_imminent_concern_sees_who_the_member_is_once_with_a_reason(
    coordinator_client: Client, coordinator: Any, about: Any
) -> None:
    concern = _handled(coordinator, about)
    response = _reveal(coordinator_client, concern, coordinator, password=_password())
    body = response.content.decode()
    assert response.status_code == 200
    assert REAL_NAME in body and about.email in body and "0412 345 678" in body
    assert "no-store" in response["Cache-Control"]
    event = AuditEvent.objects.get(action="identity.revealed")
    assert event.subject_id == about.pk and event.actor_id == coordinator.pk
    assert event.reason == "Ambulance needs her address now"
    assert event.target_id == str(concern.pk)
    assert REAL_NAME not in str(event.details) and about.email not in str(event.details)
    line = ConcernEvent.objects.get(concern=concern, kind=EventKind.REVEALED)
    assert line.actor_id == coordinator.pk and line.note == "Ambulance needs her address now"
    # The concern page afterwards shows the break-glass line, never the details.
    page = coordinator_client.get(reverse("console:concern", args=[concern.pk])).content.decode()
    assert "break-glass" in page and REAL_NAME not in page and about.email not in page


@pytest.mark.parametrize(
    ("overrides", "why"),
    [
        ({"password": "wrong password"}, "credentials"),
        ({"code": "000000"}, "credentials"),
        ({"reason": "because"}, "reason"),
    ],
)
def test_break_glass_is_refused_and_audited_without_the_reason_password_and_code(
    coordinator_client: Client, coordinator: Any, about: Any, overrides: dict[str, str], why: str
) -> None:
    concern = _handled(coordinator, about)
    if overrides.get("code") == "000000" and totp_code(coordinator.totp_secret) == "000000":
        overrides = {"code": "111111"}
    response = _reveal(coordinator_client, concern, coordinator, **{"password": _password(), **overrides})
    body = response.content.decode()
    assert response.status_code == 200 and REAL_NAME not in body and about.email not in body
    denied = AuditEvent.objects.get(action="safety.concern.reveal")
    assert denied.outcome == Outcome.DENIED and denied.details == {"why": why}
    assert not AuditEvent.objects.filter(action="identity.revealed").exists()
    assert not ConcernEvent.objects.filter(concern=concern, kind=EventKind.REVEALED).exists()


def test_a_recovery_code_is_not_enough(coordinator_client: Client, coordinator: Any, about: Any) -> None:
    concern = _handled(coordinator, about)
    response = _reveal(coordinator_client, concern, coordinator, password=_password(), code="ABCD-EFGH")
    assert REAL_NAME not in response.content.decode()


def test_break_glass_is_throttled_after_5_failures(coordinator_client: Client, coordinator: Any, about: Any) -> None:
    concern = _handled(coordinator, about)
    for _ in range(MAX_FAILURES):
        _reveal(coordinator_client, concern, coordinator, password="wrong password")
    response = _reveal(coordinator_client, concern, coordinator, password=_password())
    body = response.content.decode()
    assert "Too many wrong attempts" in body and REAL_NAME not in body
    whys = list(AuditEvent.objects.filter(action="safety.concern.reveal").values_list("details", flat=True))
    assert whys.count({"why": "credentials"}) == MAX_FAILURES and {"why": "throttled"} in whys


@pytest.mark.parametrize("case", ["another_coordinator", "worried", "closed", "no_member", "not_acknowledged"])
def test_break_glass_is_403_and_audited_for_anyone_else(
    coordinator_client: Client, coordinator: Any, about: Any, case: str
) -> None:
    if case == "another_coordinator":
        concern = _handled(factories.coordinator(), about)
    elif case == "worried":
        concern = _handled(coordinator, about, level=Level.WORRIED)
    elif case == "closed":
        concern = close_concern(
            concern=_handled(coordinator, about), by=coordinator, outcome=ClosingOutcome.EMERGENCY_CONTACTED
        )
    elif case == "no_member":
        concern = _handled(coordinator, None)
    else:
        concern = _concern(member=about)
    url = reverse("console:concern_reveal", args=[concern.pk])
    assert coordinator_client.get(url).status_code == 403
    response = _reveal(coordinator_client, concern, coordinator, password=_password())
    assert response.status_code == 403 and REAL_NAME not in response.content.decode()
    denials = AuditEvent.objects.filter(action="safety.concern.reveal", outcome=Outcome.DENIED)
    assert denials.count() == 2
    assert not AuditEvent.objects.filter(action="identity.revealed").exists()


def test_break_glass_of_a_missing_concern_is_404(coordinator_client: Client) -> None:
    assert coordinator_client.get(reverse("console:concern_reveal", args=[999_999])).status_code == 404
    assert AuditEvent.objects.filter(action="safety.concern.view", outcome=Outcome.DENIED).exists()


# --- the member's access log ---------------------------------------------------------------------------------------


def test_the_access_log_shows_the_break_glass_line_with_its_reason_to_the_member_only(
    coordinator_client: Client, coordinator: Any, about: Any, member_client: Client, outsider_client: Client
) -> None:
    concern = _handled(coordinator, about)
    _reveal(coordinator_client, concern, coordinator, password=_password())
    coordinator_client.get(reverse("console:person", args=[about.pk]))
    body = member_client.get(reverse("accounts:access_log")).content.decode()
    assert "Carol revealed your contact details and real name during a safety concern" in body
    assert "Ambulance needs her address now" in body
    assert "Carol opened your account page in the console" in body
    assert body.index("opened your account page") < body.index("revealed your contact details")  # newest first
    others = outsider_client.get(reverse("accounts:access_log")).content.decode()
    assert "Ambulance needs her address now" not in others and "No coordinator has seen" in others
    own = coordinator_client.get(reverse("accounts:access_log")).content.decode()
    assert "Ambulance needs her address now" not in own


def test_a_coordinator_who_left_is_a_former_coordinator_in_the_access_log(
    coordinator_client: Client, coordinator: Any, member: Any, member_client: Client
) -> None:
    coordinator_client.get(reverse("console:person", args=[member.pk]))
    type(coordinator).objects.filter(pk=coordinator.pk).update(is_coordinator=False)
    body = member_client.get(reverse("accounts:access_log")).content.decode()
    assert "a former coordinator opened your account page" in body and "Carol" not in body.split("<main")[1]


def test_the_profile_page_links_the_access_log(member_client: Client) -> None:
    assert reverse("accounts:access_log") in member_client.get(reverse("accounts:profile")).content.decode()
