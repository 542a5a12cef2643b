"""Alerting: every channel at once with nothing but a link, the steps on a moved clock, the sweep after a worker
outage, and acknowledging stops it all."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core import mail
from django.test import override_settings

from alongside.lib.time import now
from alongside.notifications.devices import endpoint_digest
from alongside.notifications.models import Kind, Notification, PushSubscription
from alongside.phoneline.models import OwnNumber
from alongside.phoneline.tests.conftest import SERVICE_NUMBER
from alongside.safety import alerts, live
from alongside.safety.models import Concern, ConcernEvent, EventKind, Level, Source, Step
from alongside.safety.services import acknowledge, close_concern, raise_concern
from tests import factories

pytestmark = pytest.mark.django_db

CANARY_NOTE = "canary-note-7f3a"
CANARY_NAME = "Canaryname"


@pytest.fixture
def pushes(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    sent: list[dict[str, Any]] = []

    def push(user_ids, **kwargs):  # type: ignore[no-untyped-def]
        sent.append({"ids": sorted(user_ids), **kwargs})

    monkeypatch.setattr(alerts, "push_enabled", lambda: True)
    monkeypatch.setattr(alerts, "push_to_users", push)
    return sent


@pytest.fixture
def live_events(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, dict[str, Any]]]:
    sent: list[tuple[str, dict[str, Any]]] = []
    monkeypatch.setattr(live, "send", lambda events: sent.extend(events))
    return sent


def _device(user: Any) -> None:
    endpoint = f"https://fcm.googleapis.com/fcm/send/device-{user.pk}"
    PushSubscription.objects.create(
        user=user, endpoint=endpoint, endpoint_digest=endpoint_digest(endpoint), p256dh="B" + "A" * 86, auth="A" * 22
    )


def _concern(at: dt.datetime | None = None, **kwargs: Any) -> Concern:
    """A concern as raise_concern stores it, before any alert (the worker has not run)."""
    member = factories.member(display_name=CANARY_NAME)
    defaults: dict[str, Any] = {
        "level": Level.IMMINENT,
        "source": Source.THREAD,
        "note": CANARY_NOTE,
        "raised_by": factories.supporter(),
        "member": member,
        "raised_at": at or now(),
    }
    return Concern.objects.create(**{**defaults, **kwargs})


def _alerted(concern: Concern, channel: str = "app") -> list[tuple[int | None, int | None]]:
    rows = ConcernEvent.objects.filter(concern=concern, kind=EventKind.ALERTED, channel=channel)
    return list(rows.values_list("recipient_id", "step"))


def _minutes(start: dt.datetime, minutes: float) -> dt.datetime:
    return start + dt.timedelta(minutes=minutes)


# --- every channel, nothing but a link -----------------------------------------------------------------------------


def test_the_on_call_coordinator_is_alerted_on_every_channel_with_only_a_link(
    django_capture_on_commit_callbacks: Any, pushes: list[dict[str, Any]], live_events: list[Any]
) -> None:
    on_call, off_call = factories.coordinator(), factories.coordinator()
    factories.on_call(primary=[on_call])
    _device(on_call)
    concern = _concern()
    with django_capture_on_commit_callbacks(execute=True):
        assert alerts.send_first_alert(concern.pk) == 1
    link = f"/console/concerns/{concern.pk}/"

    assert [(n.user_id, n.link) for n in Notification.objects.filter(kind=Kind.CONCERN_RAISED)] == [(on_call.pk, link)]
    assert live_events == [(f"notify.user.{on_call.pk}", {"type": "safety.alert", "concern": concern.pk, "url": link})]
    assert pushes == [
        {
            "ids": [on_call.pk],
            "title": "A safety concern needs a coordinator",
            "body": "Open it to see it and acknowledge it.",
            "url": link,
            "tag": f"concern-{concern.pk}",
            "urgency": "high",
        }
    ]
    [email] = mail.outbox
    assert email.to == [on_call.email]
    html = str(email.alternatives[0][0])  # type: ignore[attr-defined]
    assert f"http://127.0.0.1:8000{link}" in email.body and f"http://127.0.0.1:8000{link}" in html
    for text in (email.subject, email.body, html, str(pushes), str(live_events)):
        assert CANARY_NOTE not in text and CANARY_NAME not in text and "mminent" not in text
    assert {channel for channel in ("app", "push", "email") if _alerted(concern, channel)} == {"app", "push", "email"}
    assert _alerted(concern, "app") == [(on_call.pk, Step.ON_CALL)]
    assert not Notification.objects.filter(user=off_call).exists()


def test_alerts_are_texted_to_the_coordinators_own_number_when_the_line_is_configured(
    standin: Any, django_capture_on_commit_callbacks: Any
) -> None:
    on_call, no_number = factories.coordinator(), factories.coordinator()
    factories.on_call(primary=[on_call, no_number])
    OwnNumber.objects.create(user=on_call, number="+61412345678")
    concern = _concern()
    with django_capture_on_commit_callbacks(execute=True):
        alerts.send_first_alert(concern.pk)
    [sent] = standin.received
    assert sent.path.endswith("/Messages.json")
    assert sent.one("To") == "+61412345678" and sent.one("From") == SERVICE_NUMBER
    body = sent.one("Body")
    assert f"/console/concerns/{concern.pk}/" in body
    assert CANARY_NOTE not in body and CANARY_NAME not in body and "mminent" not in body
    assert _alerted(concern, "sms") == [(on_call.pk, Step.ON_CALL)]
    assert ConcernEvent.objects.get(concern=concern, channel="sms").note == ""


def test_a_refused_sms_is_on_the_timeline_as_not_sent(standin: Any, django_capture_on_commit_callbacks: Any) -> None:
    on_call = factories.coordinator()
    factories.on_call(primary=[on_call])
    OwnNumber.objects.create(user=on_call, number="+61412345678")
    standin.fail_with = 400
    concern = _concern()
    with django_capture_on_commit_callbacks(execute=True):
        alerts.send_first_alert(concern.pk)
    line = ConcernEvent.objects.get(concern=concern, channel="sms")
    assert line.recipient_id == on_call.pk and line.note.startswith("Not sent")
    assert _alerted(concern, "app") == [(on_call.pk, Step.ON_CALL)]  # the other channels went all the same


def test_no_sms_is_sent_while_the_phone_line_is_off(django_capture_on_commit_callbacks: Any) -> None:
    on_call = factories.coordinator()
    factories.on_call(primary=[on_call])
    OwnNumber.objects.create(user=on_call, number="+61412345678")
    concern = _concern()
    with override_settings(TWILIO_ACCOUNT_SID=""), django_capture_on_commit_callbacks(execute=True):
        alerts.send_first_alert(concern.pk)
    assert not _alerted(concern, "sms")


# --- the steps ---------------------------------------------------------------------------------------------------


def test_unacknowledged_it_goes_to_the_backup_after_5_minutes_then_to_every_coordinator(
    django_capture_on_commit_callbacks: Any,
) -> None:
    start = now()
    primary, backup, third = factories.coordinator(), factories.coordinator(), factories.coordinator()
    factories.on_call(starts_at=start - dt.timedelta(hours=1), primary=[primary], backup=[backup])
    concern = _concern(at=start)
    assert alerts.send_first_alert(concern.pk, start) == 1
    assert alerts.sweep(_minutes(start, 4.9)) == {"alerted": 0, "escalated": 0}  # not due yet

    assert alerts.sweep(_minutes(start, 5)) == {"alerted": 0, "escalated": 1}
    assert alerts.sweep(_minutes(start, 6)) == {"alerted": 0, "escalated": 0}  # never twice
    assert _alerted(concern) == [(primary.pk, Step.ON_CALL), (backup.pk, Step.BACKUP)]

    assert alerts.sweep(_minutes(start, 10)) == {"alerted": 0, "escalated": 1}
    everyone = sorted([primary.pk, backup.pk, third.pk])
    assert sorted(pk or 0 for pk, step in _alerted(concern) if step == Step.ALL) == everyone
    assert alerts.sweep(_minutes(start, 60)) == {"alerted": 0, "escalated": 0}  # the last step is every coordinator
    steps = list(ConcernEvent.objects.filter(concern=concern, kind=EventKind.ESCALATED).values_list("step", flat=True))
    assert steps == [Step.BACKUP, Step.ALL]
    concern.refresh_from_db()
    assert concern.step == Step.ALL and concern.next_step_at is None


def test_an_empty_step_passes_straight_on_so_the_alert_is_never_lost() -> None:
    """Nobody on call at all: the first alert goes straight to every coordinator."""
    first, second = factories.coordinator(), factories.coordinator()
    concern = _concern()
    assert alerts.send_first_alert(concern.pk) == 2
    assert sorted(_alerted(concern)) == sorted([(first.pk, Step.ALL), (second.pk, Step.ALL)])
    passed = list(ConcernEvent.objects.filter(concern=concern, kind=EventKind.ESCALATED).values_list("step", flat=True))
    assert passed == [Step.BACKUP, Step.ALL]


def test_without_a_backup_on_call_the_next_step_is_every_coordinator() -> None:
    start = now()
    primary, other = factories.coordinator(), factories.coordinator()
    factories.on_call(starts_at=start - dt.timedelta(hours=1), primary=[primary])
    concern = _concern(at=start)
    alerts.send_first_alert(concern.pk, start)
    assert alerts.sweep(_minutes(start, 5))["escalated"] == 1
    assert sorted(_alerted(concern)) == sorted([(primary.pk, 0), (primary.pk, 2), (other.pk, 2)])


def test_a_concern_raised_while_the_worker_is_down_is_alerted_by_the_periodic_check(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    on_call = factories.coordinator()
    factories.on_call(primary=[on_call])
    monkeypatch.setattr("alongside.safety.services.alert_concern", lambda concern_id: None)  # the worker is down
    concern = raise_concern(raised_by=factories.supporter(), level=Level.WORRIED, source=Source.THREAD)
    assert not _alerted(concern)
    assert alerts.sweep() == {"alerted": 1, "escalated": 0}
    assert alerts.sweep() == {"alerted": 0, "escalated": 0}
    assert _alerted(concern) == [(on_call.pk, Step.ON_CALL)]


def test_acknowledging_stops_the_escalation_and_withdraws_every_banner(
    django_capture_on_commit_callbacks: Any, live_events: list[Any]
) -> None:
    start = now()
    primary, backup = factories.coordinator(), factories.coordinator()
    factories.on_call(starts_at=start - dt.timedelta(hours=1), primary=[primary], backup=[backup])
    concern = _concern(at=start)
    alerts.send_first_alert(concern.pk, start)
    alerts.sweep(_minutes(start, 5))
    live_events.clear()
    with django_capture_on_commit_callbacks(execute=True):
        acknowledge(concern=concern, by=backup)
    assert sorted(live_events) == sorted(
        (f"notify.user.{pk}", {"type": "safety.handled", "concern": concern.pk}) for pk in (primary.pk, backup.pk)
    )
    assert alerts.sweep(_minutes(start, 30)) == {"alerted": 0, "escalated": 0}
    assert alerts.escalate(concern.pk, _minutes(start, 30)) == 0
    concern.refresh_from_db()
    assert concern.handler_id == backup.pk and concern.step == Step.BACKUP and concern.next_step_at is None


def test_a_closed_concern_is_never_alerted() -> None:
    coordinator = factories.coordinator()
    concern = _concern(level=Level.WORRIED)
    close_concern(concern=concern, by=coordinator, outcome="supported")
    assert alerts.sweep() == {"alerted": 0, "escalated": 0}
    assert not _alerted(concern)


def test_each_step_schedules_the_next_one_5_minutes_later(
    monkeypatch: pytest.MonkeyPatch, django_capture_on_commit_callbacks: Any
) -> None:
    scheduled: list[tuple[Any, float]] = []
    monkeypatch.setattr(alerts.escalate_concern, "schedule", lambda args, delay: scheduled.append((args, delay)))
    factories.on_call(primary=[factories.coordinator()])
    concern = _concern()
    with django_capture_on_commit_callbacks(execute=True):
        alerts.send_first_alert(concern.pk)
    [(args, delay)] = scheduled
    assert args == (concern.pk,) and 290 < delay <= 300
