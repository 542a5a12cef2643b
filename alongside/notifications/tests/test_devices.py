"""Alerts on a person's devices: turning them on (the browser posts its subscription), the list, stopping one,
the test alert, and the nudge on supporters' and coordinators' homes."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from huey.contrib.djhuey import HUEY

from alongside.audit.models import AuditEvent, Outcome
from alongside.notifications.devices import device_label, endpoint_digest, endpoint_problem
from alongside.notifications.models import PushSubscription
from alongside.notifications.services import MAX_DEVICES
from alongside.notifications.tests.pushservice import Browser, PushService
from alongside.safety.privacy import export_data

pytestmark = pytest.mark.django_db

FCM = "https://fcm.googleapis.com/fcm/send/dGVzdC1kZXZpY2U:APA91bH-test-token"
CHROME_ANDROID = (
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Mobile Safari/537.36"
)


@pytest.fixture(autouse=True)
def _empty_schedule() -> Iterator[None]:
    HUEY.storage.flush_all()
    yield
    HUEY.storage.flush_all()


def subscription(endpoint: str = FCM, browser: Browser | None = None) -> dict:
    browser = browser or Browser()
    return {"endpoint": endpoint, "expirationTime": None, "keys": {"p256dh": browser.p256dh, "auth": browser.auth}}


def post(client: Client, data: object, *, user_agent: str = CHROME_ANDROID):  # type: ignore[no-untyped-def]
    body = data if isinstance(data, str) else json.dumps(data)
    return client.post(
        reverse("notifications:device_add"), body, content_type="application/json", headers={"User-Agent": user_agent}
    )


def test_turning_alerts_on_keeps_the_device_with_a_label_the_person_can_read(member, member_client):
    response = post(member_client, subscription())
    assert response.status_code == 201
    device = PushSubscription.objects.get()
    assert response.json() == {"id": device.pk, "label": "Chrome on Android"}
    assert device.user == member and device.endpoint == FCM and device.endpoint_digest == endpoint_digest(FCM)
    page = member_client.get(reverse("notifications:devices"))
    assert "Chrome on Android" in page.content.decode()
    assert AuditEvent.objects.filter(action="notifications.device.added", actor_id=member.pk).exists()


def test_the_endpoint_is_not_in_the_database_in_clear(member_client):
    post(member_client, subscription())
    with connection.cursor() as cursor:
        cursor.execute("SELECT endpoint FROM notifications_pushsubscription")
        [stored] = cursor.fetchone()
    assert "fcm.googleapis.com" not in stored and "APA91" not in stored


def test_the_same_browser_subscribing_again_keeps_one_device(member, member_client):
    post(member_client, subscription())
    fresh = Browser()
    assert post(member_client, subscription(browser=fresh)).status_code == 201
    device = PushSubscription.objects.get()
    assert device.p256dh == fresh.p256dh and device.auth == fresh.auth


def test_a_shared_browser_goes_to_whoever_turned_alerts_on_last(member, member_client, supporter, supporter_client):
    post(member_client, subscription())
    post(supporter_client, subscription())
    assert PushSubscription.objects.get().user == supporter


BAD = [
    # (what is wrong, the subscription, the field its error is on)
    ("no endpoint", {"keys": subscription()["keys"]}, "endpoint"),
    ("not a web address", {**subscription(), "endpoint": "not a url"}, "endpoint"),
    ("plain http", {**subscription(), "endpoint": "http://fcm.googleapis.com/fcm/send/x"}, "endpoint"),
    ("an unknown push service", {**subscription(), "endpoint": "https://push.evil.example/x"}, "endpoint"),
    ("a lookalike host", {**subscription(), "endpoint": "https://fcm.googleapis.com.evil.example/x"}, "endpoint"),
    ("a numeric address", {**subscription(), "endpoint": "https://10.0.0.5/x"}, "endpoint"),
    ("a user in the address", {**subscription(), "endpoint": "https://me:pw@fcm.googleapis.com/x"}, "endpoint"),
    ("an endpoint too long", {**subscription(), "endpoint": FCM + "x" * 2000}, "endpoint"),
    ("no keys", {"endpoint": FCM}, "p256dh"),
    ("no auth secret", {"endpoint": FCM, "keys": {"p256dh": Browser().p256dh}}, "auth"),
    ("a key that is not base64url", {"endpoint": FCM, "keys": {"p256dh": "!!!", "auth": Browser().auth}}, "p256dh"),
    ("a key too short", {"endpoint": FCM, "keys": {"p256dh": "BAAA", "auth": Browser().auth}}, "p256dh"),
    ("a key off the curve", {"endpoint": FCM, "keys": {"p256dh": "B" + "A" * 86, "auth": Browser().auth}}, "p256dh"),
    ("an auth secret too long", {"endpoint": FCM, "keys": {"p256dh": Browser().p256dh, "auth": "A" * 40}}, "auth"),
    ("keys that are not text", {"endpoint": FCM, "keys": {"p256dh": 12, "auth": ["x"]}}, "p256dh"),
    ("not an object", [FCM], "endpoint"),
]


@pytest.mark.parametrize(("what", "data", "field"), BAD, ids=[b[0] for b in BAD])
def test_a_bad_subscription_is_refused_field_by_field_and_nothing_is_saved(what, data, field, member_client):
    response = post(member_client, data)
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert errors[field] and all(isinstance(message, str) and message for message in errors[field])
    assert PushSubscription.objects.count() == 0


def test_a_body_that_is_not_json_is_refused(member_client):
    response = post(member_client, "{not json")
    assert response.status_code == 400
    assert response.json()["errors"]["__all__"] == ["The browser did not send its subscription as JSON."]
    form = member_client.post(reverse("notifications:device_add"), {"endpoint": FCM})
    assert form.status_code == 400
    assert PushSubscription.objects.count() == 0


def test_the_loopback_push_address_is_only_for_debug_and_tests(settings):
    settings.DEBUG = False
    settings.TESTING = False
    assert endpoint_problem("http://127.0.0.1:9000/push/x") == "The push address is not one of a known push service."
    settings.DEBUG = True
    assert endpoint_problem("http://127.0.0.1:9000/push/x") is None
    assert endpoint_problem("http://localhost:9000/push/x") is None


def test_any_https_push_service_when_the_list_says_so(settings):
    settings.ALONGSIDE_PUSH_SERVICES = ["*"]
    assert endpoint_problem("https://push.example.net/x") is None
    assert endpoint_problem("https://10.0.0.5/x") is not None


def test_a_person_has_at_most_a_handful_of_devices(member, member_client):
    for n in range(MAX_DEVICES):
        assert post(member_client, subscription(f"{FCM}-{n}")).status_code == 201
    response = post(member_client, subscription(f"{FCM}-one-more"))
    assert response.status_code == 400
    assert "Stop one you no longer use" in response.json()["errors"]["__all__"][0]
    assert PushSubscription.objects.filter(user=member).count() == MAX_DEVICES


def test_turning_alerts_on_says_so_when_push_is_off(member_client, settings):
    settings.ALONGSIDE_PUSH_ENABLED = False
    settings.VAPID_KEYS = None
    response = post(member_client, subscription())
    assert response.status_code == 400
    assert response.json()["errors"]["__all__"] == ["Alerts to devices are not set up on this service."]
    page = member_client.get(reverse("notifications:devices")).content.decode()
    assert "Alerts to devices are not set up on this service yet." in page
    assert "data-push-subscribe" not in page


def test_the_page_gives_the_browser_the_public_key(member_client, settings):
    page = member_client.get(reverse("notifications:devices")).content.decode()
    assert f'data-public-key="{settings.VAPID_KEYS.public_key}"' in page
    assert "Send alerts to this device" in page


def test_the_list_shows_only_ones_own_devices(member, member_client, supporter_client):
    post(supporter_client, subscription(f"{FCM}-bob"), user_agent="Mozilla/5.0 (iPhone) Version/17 Safari/604.1")
    post(member_client, subscription(f"{FCM}-alice"))
    page = member_client.get(reverse("notifications:devices")).content.decode()
    assert "Chrome on Android" in page and "Safari on iPhone" not in page


def test_stopping_a_device_removes_it(member, member_client):
    post(member_client, subscription())
    device = PushSubscription.objects.get()
    response = member_client.post(reverse("notifications:device_stop", args=[device.pk]), follow=True)
    assert response.redirect_chain[-1][0] == reverse("notifications:devices")
    assert "Alerts stopped on Chrome on Android." in response.content.decode()
    assert not PushSubscription.objects.exists()
    assert AuditEvent.objects.filter(action="notifications.device.stopped", actor_id=member.pk).exists()


def test_no_one_can_stop_another_persons_device(member, member_client, supporter, supporter_client):
    post(member_client, subscription())
    device = PushSubscription.objects.get()
    response = supporter_client.post(reverse("notifications:device_stop", args=[device.pk]))
    assert response.status_code == 404
    assert PushSubscription.objects.filter(pk=device.pk).exists()
    denial = AuditEvent.objects.get(action="notifications.device.view", actor_id=supporter.pk)
    assert denial.outcome == Outcome.DENIED and denial.target_id == str(device.pk)


def test_a_test_alert_reaches_each_of_ones_devices(member, member_client, django_capture_on_commit_callbacks):
    service = PushService().start()
    try:
        browser = Browser()
        post(member_client, subscription(service.endpoint("alice"), browser))
        with django_capture_on_commit_callbacks(execute=True):
            response = member_client.post(reverse("notifications:device_test"), follow=True)
        assert "A test alert is on its way to your 1 device." in response.content.decode()
        [request] = service.to("alice")
        assert browser.decrypt(request.body) == {
            "title": "Test alert",
            "body": "Alerts from the peer support service reach this device.",
            "url": reverse("notifications:devices"),
            "tag": "test-alert",
        }
    finally:
        service.stop()


def test_a_test_alert_without_devices_says_what_to_do(member_client):
    response = member_client.post(reverse("notifications:device_test"), follow=True)
    assert "No device gets your alerts yet" in response.content.decode()


def test_test_alerts_are_limited(member_client):
    for _ in range(5):
        member_client.post(reverse("notifications:device_test"))
    response = member_client.post(reverse("notifications:device_test"), follow=True)
    assert "You have sent several test alerts just now." in response.content.decode()


@pytest.mark.parametrize("who", ["supporter", "coordinator"])
def test_supporters_and_coordinators_are_nudged_on_their_home(who, request, settings):
    client = request.getfixturevalue(f"{who}_client")
    page = client.get(reverse("home")).content.decode()
    assert "data-push-nudge" in page and reverse("notifications:devices") in page
    settings.ALONGSIDE_PUSH_ENABLED = False
    assert "data-push-nudge" not in client.get(reverse("home")).content.decode()


@pytest.mark.parametrize(
    ("agent", "label"),
    [
        (CHROME_ANDROID, "Chrome on Android"),
        (
            "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit (KHTML) Version/17 Safari/604.1",
            "Safari on iPhone",
        ),
        ("Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0", "Firefox on Windows"),
        ("Mozilla/5.0 (Windows NT 10.0) AppleWebKit/537.36 Chrome/131.0 Safari/537.36 Edg/131.0", "Edge on Windows"),
        ("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605 Version/17 Safari/605", "Safari on macOS"),
        (
            "Mozilla/5.0 (Linux; Android 14) SamsungBrowser/25.0 Chrome/121 Mobile Safari/537.36",
            "Samsung Internet on Android",
        ),
        ("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 HeadlessChrome/131 Safari/537.36", "Chrome on Linux"),
        ("curl/8.5", "A browser"),
        ("", "A browser"),
    ],
)
def test_the_device_label_is_coarse(agent, label):
    assert device_label(agent) == label


def test_the_data_export_lists_the_devices_but_not_their_addresses(member, member_client):
    post(member_client, subscription())
    exported = export_data(user=member)
    assert exported["alert_devices"] == [
        {
            "device": "Chrome on Android",
            "added": PushSubscription.objects.get().created_at.isoformat(),
            "last_alert_delivered": None,
        }
    ]
    assert "fcm.googleapis.com" not in json.dumps(exported)
