"""Sending web push: to a push service of the test's own on 127.0.0.1, which checks VAPID and decrypts the payload
with the subscription's keys, as a browser's push service and the browser do."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterator
from unittest import mock

import pytest
from cryptography.exceptions import InvalidTag
from django.conf import settings
from django.db import connection
from http_ece import ECEException
from huey.contrib.djhuey import HUEY

from alongside.accounts.models import User
from alongside.lib.time import now
from alongside.notifications import webpush
from alongside.notifications.devices import endpoint_digest
from alongside.notifications.models import PushSubscription
from alongside.notifications.push import push_to_users
from alongside.notifications.tasks import send_push
from alongside.notifications.tests.pushservice import Browser, PushService, verify_vapid

pytestmark = pytest.mark.django_db


@pytest.fixture
def service() -> Iterator[PushService]:
    running = PushService().start()
    yield running
    running.stop()


@pytest.fixture(autouse=True)
def _empty_schedule() -> Iterator[None]:
    HUEY.storage.flush_all()
    yield
    HUEY.storage.flush_all()


def subscribe(user: User, service: PushService, name: str, browser: Browser | None = None) -> PushSubscription:
    browser = browser or Browser()
    endpoint = service.endpoint(name)
    return PushSubscription.objects.create(
        user=user,
        endpoint=endpoint,
        endpoint_digest=endpoint_digest(endpoint),
        p256dh=browser.p256dh,
        auth=browser.auth,
        label="Chrome on Android",
    )


def push(user_ids: list[int], capture, **overrides) -> None:  # type: ignore[no-untyped-def]
    fields = {
        "title": "Someone would like to talk now",
        "body": "Open the app to answer.",
        "url": "/talk/12/",
        "tag": "talknow-12",
    }
    fields.update(overrides)
    with capture(execute=True):
        push_to_users(user_ids, **fields)


def scheduled_for(device_id: int) -> list[dt.datetime]:
    return [task.eta for task in HUEY.scheduled() if task.args and task.args[0] == device_id]


def test_the_device_gets_the_four_fields_encrypted_for_it_and_signed_by_the_service(
    member, service, django_capture_on_commit_callbacks
):
    browser = Browser()
    device = subscribe(member, service, "alice-phone", browser)

    push([member.pk], django_capture_on_commit_callbacks)

    [request] = service.to("alice-phone")
    claims = verify_vapid(request, public_key=settings.VAPID_KEYS.public_key, audience=service.origin)
    assert claims["sub"] == settings.VAPID_SUBJECT
    assert claims["exp"] > time.time() + 3600
    assert request.headers["content-encoding"] == "aes128gcm"
    assert 595 <= int(request.headers["ttl"]) <= 600  # ten minutes, less the moment it took
    assert request.headers["urgency"] == "high"
    assert request.headers["topic"] == "talknow-12"
    assert browser.decrypt(request.body) == {
        "title": "Someone would like to talk now",
        "body": "Open the app to answer.",
        "url": "/talk/12/",
        "tag": "talknow-12",
    }
    # Nothing about the person in it, nor anything readable on the wire.
    for detail in (member.email, member.profile.display_name, "Alice"):
        assert detail.encode() not in request.body
        assert detail not in browser.decrypt(request.body).values()
    assert b"talk now" not in request.body
    device.refresh_from_db()
    assert device.last_success_at is not None and device.failure_count == 0


def test_another_browser_cannot_read_the_payload(member, service, django_capture_on_commit_callbacks):
    subscribe(member, service, "alice-phone", Browser())
    push([member.pk], django_capture_on_commit_callbacks)
    [request] = service.to("alice-phone")
    with pytest.raises((ECEException, InvalidTag)):
        Browser().decrypt(request.body)


def test_every_device_of_every_person_named_gets_it_and_no_one_else(
    member, supporter, other_member, service, django_capture_on_commit_callbacks
):
    subscribe(member, service, "alice-phone")
    subscribe(member, service, "alice-laptop")
    subscribe(supporter, service, "bob-phone")
    subscribe(other_member, service, "olive-phone")

    push([member.pk, supporter.pk, member.pk], django_capture_on_commit_callbacks)

    assert {r.path for r in service.received} == {"/push/alice-phone", "/push/alice-laptop", "/push/bob-phone"}
    assert len(service.received) == 3


def test_nothing_is_sent_until_the_transaction_commits(member, service, django_capture_on_commit_callbacks):
    subscribe(member, service, "alice-phone")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        push_to_users([member.pk], title="t", body="b", url="/", tag="x")
    assert service.received == []
    assert len(callbacks) == 1


def test_a_deactivated_person_gets_nothing(member, service, django_capture_on_commit_callbacks):
    subscribe(member, service, "alice-phone")
    User.objects.filter(pk=member.pk).update(is_active=False)
    push([member.pk], django_capture_on_commit_callbacks)
    assert service.received == []


def test_an_alert_can_only_lead_to_a_page_of_this_site(member, service, django_capture_on_commit_callbacks):
    browser = Browser()
    subscribe(member, service, "alice-phone", browser)
    push([member.pk], django_capture_on_commit_callbacks, url="https://evil.example/phish")
    push([member.pk], django_capture_on_commit_callbacks, url="//evil.example/phish")
    assert [browser.decrypt(r.body)["url"] for r in service.to("alice-phone")] == ["/", "/"]


@pytest.mark.parametrize("status", [404, 410])
def test_a_device_its_push_service_says_is_gone_is_dropped(status, member, service, django_capture_on_commit_callbacks):
    gone = subscribe(member, service, "old-phone")
    kept = subscribe(member, service, "new-phone")
    service.answer("old-phone", status)

    push([member.pk], django_capture_on_commit_callbacks)

    assert not PushSubscription.objects.filter(pk=gone.pk).exists()
    assert PushSubscription.objects.filter(pk=kept.pk).exists()
    assert len(service.to("new-phone")) == 1
    assert scheduled_for(gone.pk) == []


def test_a_failing_device_is_tried_again_later_and_never_holds_up_another(
    member, supporter, service, django_capture_on_commit_callbacks
):
    failing = subscribe(member, service, "failing")
    browser = Browser()
    subscribe(supporter, service, "working", browser)
    service.answer("failing", 500)

    before = now()
    push([member.pk, supporter.pk], django_capture_on_commit_callbacks)

    assert len(service.to("working")) == 1
    assert browser.decrypt(service.to("working")[0].body)["title"] == "Someone would like to talk now"
    failing.refresh_from_db()
    assert failing.failure_count == 1
    assert failing.last_success_at is None
    next_try = failing.next_attempt_at
    assert next_try is not None
    assert before + dt.timedelta(seconds=59) <= next_try <= now() + dt.timedelta(seconds=61)
    [retry_at] = scheduled_for(failing.pk)
    assert retry_at is not None

    # The push service recovers; the retry runs when it is due and delivers the same message.
    service.answer("failing", 201)
    [task] = [t for t in HUEY.scheduled() if t.args[0] == failing.pk]
    with mock.patch("alongside.notifications.webpush.now", return_value=failing.next_attempt_at):
        assert webpush.deliver(*task.args).outcome == webpush.Outcome.SENT
    assert len(service.to("failing")) == 2
    failing.refresh_from_db()
    assert failing.failure_count == 0 and failing.next_attempt_at is None and failing.last_success_at is not None


def test_a_device_backing_off_is_not_tried_before_its_next_try(member, service, django_capture_on_commit_callbacks):
    device = subscribe(member, service, "failing")
    service.answer("failing", 503)
    push([member.pk], django_capture_on_commit_callbacks)
    assert len(service.to("failing")) == 1

    # A second alert a moment later waits for the device's next try instead of knocking again now.
    push([member.pk], django_capture_on_commit_callbacks, tag="talknow-13")
    assert len(service.to("failing")) == 1
    device.refresh_from_db()
    assert device.failure_count == 1
    assert len(scheduled_for(device.pk)) == 2


def test_a_slow_push_service_is_given_up_on_within_the_timeout(
    member, supporter, service, django_capture_on_commit_callbacks, settings
):
    settings.ALONGSIDE_PUSH_TIMEOUT = 1
    slow = subscribe(member, service, "slow")
    subscribe(supporter, service, "quick")
    service.answer("slow", delay=4)

    started = time.monotonic()
    push([member.pk, supporter.pk], django_capture_on_commit_callbacks)
    took = time.monotonic() - started

    assert took < 3.5
    assert len(service.to("quick")) == 1
    slow.refresh_from_db()
    assert slow.failure_count == 1 and scheduled_for(slow.pk)


def test_a_redirect_is_not_followed(member, service, django_capture_on_commit_callbacks):
    device = subscribe(member, service, "moved")
    service.answer("moved", 307, location=service.endpoint("elsewhere"))
    push([member.pk], django_capture_on_commit_callbacks)
    assert service.to("elsewhere") == []
    device.refresh_from_db()
    assert device.failure_count == 1


def test_a_device_that_keeps_failing_for_about_a_day_is_dropped(member, service):
    device = subscribe(member, service, "dead")
    service.answer("dead", 500)
    message = webpush.Message(
        title="t", body="b", url="/", tag="x", urgency="high", ttl=60, expires_at=time.time() + 10 * 24 * 3600
    )
    moment = now()
    outcomes = []
    for _ in range(webpush.GIVE_UP_AFTER):
        with mock.patch("alongside.notifications.webpush.now", return_value=moment):
            result = webpush.deliver(device.pk, message)
        outcomes.append(result.outcome)
        if result.retry_at is not None:
            moment = result.retry_at
    assert outcomes[:-1] == [webpush.Outcome.RETRY] * (webpush.GIVE_UP_AFTER - 1)
    assert outcomes[-1] == webpush.Outcome.DROPPED
    assert not PushSubscription.objects.filter(pk=device.pk).exists()
    span = moment - now()
    assert dt.timedelta(hours=20) <= span <= dt.timedelta(hours=26)
    assert len(service.to("dead")) == webpush.GIVE_UP_AFTER


def test_a_message_past_its_time_to_live_is_not_retried(member, service, django_capture_on_commit_callbacks):
    device = subscribe(member, service, "failing")
    service.answer("failing", 500)
    # 90 seconds: the first retry (after a minute) is still worth it, the second (five minutes later) is not.
    push([member.pk], django_capture_on_commit_callbacks, ttl=90)
    [task] = [t for t in HUEY.scheduled() if t.args[0] == device.pk]
    HUEY.storage.flush_all()
    device.refresh_from_db()
    with mock.patch("alongside.notifications.webpush.now", return_value=device.next_attempt_at):
        send_push.call_local(*task.args)
    assert len(service.to("failing")) == 2
    assert scheduled_for(device.pk) == []
    device.refresh_from_db()
    assert device.failure_count == 2


def test_nothing_is_sent_when_push_is_off(member, service, django_capture_on_commit_callbacks, settings):
    subscribe(member, service, "alice-phone")
    settings.ALONGSIDE_PUSH_ENABLED = False
    push([member.pk], django_capture_on_commit_callbacks)
    assert service.received == []


def test_the_endpoint_is_encrypted_at_rest_and_never_logged(
    member, service, django_capture_on_commit_callbacks, caplog
):
    device = subscribe(member, service, "alice-phone-secret-token")
    service.answer("alice-phone-secret-token", 500)
    with caplog.at_level("DEBUG"):
        push([member.pk], django_capture_on_commit_callbacks)
    with connection.cursor() as cursor:
        cursor.execute("SELECT endpoint FROM notifications_pushsubscription WHERE id = %s", [device.pk])
        [stored] = cursor.fetchone()
    assert "secret-token" not in stored and "127.0.0.1" not in stored
    assert caplog.records, "the failure is logged"
    for record in caplog.records:
        text = record.getMessage()
        assert "secret-token" not in text and "127.0.0.1" not in text, text
