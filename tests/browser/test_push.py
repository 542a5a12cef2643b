"""Alerts on a device, in Debian's headless Chromium.

Headless Chromium has no push service: ``PushManager.subscribe`` fails there ("Registration failed - permission
denied"), so one test checks the page says so, and the journey stands a subscription of the test's own in for the
browser's push service: ``subscribe``/``getSubscription`` answer with an endpoint on a push service the test runs on
127.0.0.1 and keys the test generated. Everything else is real: the permission, the page's script, the JSON post with
its CSRF token, the test alert sent through pywebpush, its decryption with the browser's keys, and the service
worker's ``push`` handler showing it (the decrypted message delivered to the worker through Chromium's DevTools
protocol). ``notificationclick`` can't be triggered from outside the browser, so it has no browser test.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.conf import settings
from playwright.sync_api import BrowserContext, Page, expect

from alongside.notifications.models import PushSubscription
from alongside.notifications.tests.pushservice import Browser, PushService
from tests import factories
from tests.browser.conftest import MOBILE, BrowserProblems, LiveServer, screenshot, wait_for_db

pytestmark = pytest.mark.browser

STAND_IN = """
(() => {
  const given = %s;
  const keyOf = () => {
    const text = localStorage.getItem("standin.key");
    return text ? Uint8Array.from(JSON.parse(text)).buffer : null;
  };
  const subscription = () => ({
    endpoint: given.endpoint,
    expirationTime: null,
    options: { userVisibleOnly: true, applicationServerKey: keyOf() },
    toJSON() { return { endpoint: given.endpoint, expirationTime: null, keys: given.keys }; },
    unsubscribe() { localStorage.removeItem("standin.key"); return Promise.resolve(true); },
  });
  PushManager.prototype.subscribe = function (options) {
    if (!options || options.userVisibleOnly !== true) { return Promise.reject(new Error("userVisibleOnly")); }
    localStorage.setItem("standin.key", JSON.stringify(Array.from(new Uint8Array(options.applicationServerKey))));
    return Promise.resolve(subscription());
  };
  PushManager.prototype.getSubscription = function () {
    return Promise.resolve(localStorage.getItem("standin.key") ? subscription() : null);
  };
})();
"""


@pytest.fixture
def push_service() -> Iterator[PushService]:
    running = PushService().start()
    yield running
    running.stop()


def _stand_in(context: BrowserContext, push_service: PushService, browser: Browser) -> None:
    given = {
        "endpoint": push_service.endpoint("this-browser"),
        "keys": {"p256dh": browser.p256dh, "auth": browser.auth},
    }
    context.add_init_script(STAND_IN % json.dumps(given))


def _b64url(raw: list[int]) -> str:
    return base64.urlsafe_b64encode(bytes(raw)).decode().rstrip("=")


def _deliver_to_worker(page: Page, server: LiveServer, payload: str) -> list[dict[str, Any]]:
    """Hand the worker a push message, as the browser does when its push service delivers one; what it shows."""
    cdp = page.context.new_cdp_session(page)
    registrations: list[dict[str, Any]] = []
    versions: dict[str, dict[str, Any]] = {}
    cdp.on("ServiceWorker.workerRegistrationUpdated", lambda event: registrations.extend(event["registrations"]))
    cdp.on(
        "ServiceWorker.workerVersionUpdated",
        lambda event: versions.update({v["versionId"]: v for v in event["versions"]}),
    )
    cdp.send("ServiceWorker.enable")
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")
    for _ in range(50):
        if registrations:
            break
        page.wait_for_timeout(100)
    [registration] = {r["registrationId"]: r for r in registrations if not r["isDeleted"]}.values()
    # DevTools drops a push handed to a worker that is not running yet (it may have been stopped while idle, or be
    # starting on a busy machine): wait until the registration's activated version runs before delivering.
    for _ in range(100):
        if any(
            v["registrationId"] == registration["registrationId"]
            and v["status"] == "activated"
            and v["runningStatus"] == "running"
            for v in versions.values()
        ):
            break
        page.wait_for_timeout(100)
    shown: list[dict[str, Any]] = []
    # DevTools' delivery is fire and forget, as a push service's is: a push it still loses on a loaded machine is
    # handed over once more (a real push service retries too; the same tag replaces, so nothing shows twice).
    for _ in range(2):
        cdp.send(
            "ServiceWorker.deliverPushMessage",
            {"origin": server.url, "registrationId": registration["registrationId"], "data": payload},
        )
        shown = page.evaluate(
            """async () => {
                const registration = await navigator.serviceWorker.ready;
                for (let i = 0; i < 50; i++) {
                    const shown = await registration.getNotifications();
                    if (shown.length) {
                        return shown.map(n => ({ title: n.title, body: n.body, tag: n.tag, data: n.data, icon: n.icon }));
                    }
                    await new Promise(resolve => setTimeout(resolve, 100));
                }
                return [];
            }"""
        )
        if shown:
            break
    return shown


def test_a_supporter_turns_alerts_on_gets_a_test_alert_and_stops_them(
    page: Page,
    asgi_live_server: LiveServer,
    sign_in_as: Callable[[BrowserContext, Any], None],
    push_service: PushService,
    browser_problems: BrowserProblems,
) -> None:
    browser_problems.watch(page.context)
    supporter = factories.supporter(display_name="Bob")
    sign_in_as(page.context, supporter)
    browser = Browser()
    _stand_in(page.context, push_service, browser)
    page.context.grant_permissions(["notifications"], origin=asgi_live_server.url)

    # The nudge on the supporter's home leads to the page.
    page.goto("/")
    nudge = page.locator('[data-push-nudge][data-decided="asking"]')
    expect(nudge).to_be_visible()
    screenshot(page, "push-nudge-supporter-home")
    nudge.get_by_role("link", name="Send alerts to this device").click()

    expect(page.get_by_role("heading", name="Alerts on your devices")).to_be_visible()
    expect(page.get_by_text("Alerts are off on this device.")).to_be_visible()
    expect(page.get_by_text("No device gets your alerts yet.")).to_be_visible()
    screenshot(page, "push-devices-off")
    page.get_by_role("button", name="Send alerts to this device").click()

    expect(page.get_by_text("This device gets your alerts.")).to_be_visible()
    device = wait_for_db(lambda: PushSubscription.objects.filter(user=supporter).first(), "the device to be saved")
    assert device.endpoint == push_service.endpoint("this-browser")
    assert device.p256dh == browser.p256dh and device.auth == browser.auth
    assert device.label == "Chrome on Linux"
    key = page.evaluate("() => JSON.parse(localStorage.getItem('standin.key'))")
    assert _b64url(key) == settings.VAPID_KEYS.public_key  # subscribed with the service's public key
    row = page.locator(f'[data-device="{device.endpoint_digest}"]')
    expect(row.get_by_text("This device")).to_be_visible()
    expect(page.get_by_role("button", name="Send alerts to this device")).to_be_hidden()
    screenshot(page, "push-devices-on")

    # A test alert goes to the push service, encrypted for this browser, and the worker shows it.
    page.get_by_role("button", name="Send a test alert").click()
    expect(page.get_by_text("A test alert is on its way to your 1 device.")).to_be_visible()
    [request] = push_service.to("this-browser")
    message = browser.decrypt(request.body)
    assert message == {
        "title": "Test alert",
        "body": "Alerts from the peer support service reach this device.",
        "url": "/notifications/devices/",
        "tag": "test-alert",
    }
    [shown] = _deliver_to_worker(page, asgi_live_server, json.dumps(message))
    assert shown["title"] == "Test alert"
    assert shown["body"] == "Alerts from the peer support service reach this device."
    assert shown["tag"] == "test-alert"
    assert shown["data"] == {"url": "/notifications/devices/"}
    assert shown["icon"].endswith("/static/icons/icon-192.png")

    # With alerts on, the home no longer asks.
    page.goto("/")
    expect(page.locator('[data-push-nudge][data-decided="subscribed"]')).to_be_hidden()

    # Stopping this device removes it and ends the browser's subscription.
    page.goto("/notifications/devices/")
    row = page.locator(f'[data-device="{device.endpoint_digest}"]')
    row.get_by_role("button", name="Stop").click()
    expect(page.get_by_text("Alerts stopped on Chrome on Linux.")).to_be_visible()
    expect(page.get_by_text("Alerts are off on this device.")).to_be_visible()
    assert not PushSubscription.objects.filter(pk=device.pk).exists()
    assert page.evaluate("() => localStorage.getItem('standin.key')") is None
    browser_problems.assert_none()


def test_a_push_message_that_is_not_ours_still_shows_something_harmless(
    page: Page, asgi_live_server: LiveServer, sign_in_as: Callable[[BrowserContext, Any], None]
) -> None:
    """Browsers require every push to show a notification; a broken one leads home, and never off the site."""
    sign_in_as(page.context, factories.member(display_name="Alice"))
    page.context.grant_permissions(["notifications"], origin=asgi_live_server.url)
    page.goto("/notifications/devices/")
    [shown] = _deliver_to_worker(page, asgi_live_server, '{"title": "Look", "url": "https://evil.example/"}')
    assert shown["title"] == "Look" and shown["data"] == {"url": "/"}


def test_without_a_push_service_the_page_says_the_browser_could_not_subscribe(
    page: Page,
    asgi_live_server: LiveServer,
    sign_in_as: Callable[[BrowserContext, Any], None],
    browser_problems: BrowserProblems,
) -> None:
    browser_problems.watch(page.context)
    sign_in_as(page.context, factories.member(display_name="Alice"))
    page.context.grant_permissions(["notifications"], origin=asgi_live_server.url)
    page.set_viewport_size(MOBILE)
    page.goto("/notifications/devices/")
    page.get_by_role("button", name="Send alerts to this device").click()
    expect(page.get_by_role("alert")).to_have_text(
        "This browser could not subscribe to alerts just now. Please try again later."
    )
    expect(page.get_by_role("button", name="Send alerts to this device")).to_be_enabled()
    assert not PushSubscription.objects.exists()
    browser_problems.assert_none()


def test_the_page_says_when_push_is_not_set_up(
    page: Page, asgi_live_server: LiveServer, sign_in_as: Callable[[BrowserContext, Any], None], settings: Any
) -> None:
    settings.ALONGSIDE_PUSH_ENABLED = False
    settings.VAPID_KEYS = None
    sign_in_as(page.context, factories.coordinator(display_name="Carol"))
    page.goto("/notifications/devices/")
    expect(page.get_by_text("Alerts to devices are not set up on this service yet.")).to_be_visible()
    expect(page.get_by_role("button", name="Send alerts to this device")).to_have_count(0)
    screenshot(page, "push-devices-not-set-up")


def test_a_coordinator_can_say_not_on_this_device_and_is_not_asked_again(
    page: Page,
    asgi_live_server: LiveServer,
    sign_in_as: Callable[[BrowserContext, Any], None],
    browser_problems: BrowserProblems,
) -> None:
    browser_problems.watch(page.context)
    sign_in_as(page.context, factories.coordinator(display_name="Carol"))
    page.set_viewport_size(MOBILE)
    page.goto("/")
    nudge = page.locator("[data-push-nudge]")
    expect(nudge).to_be_visible()
    screenshot(page, "push-nudge-coordinator-home")
    nudge.get_by_role("button", name="Not on this device").click()
    expect(nudge).to_be_hidden()
    page.reload()
    expect(page.locator('[data-push-nudge][data-decided="dismissed"]')).to_be_hidden()
    browser_problems.assert_none()
