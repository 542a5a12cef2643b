"""The installable app in a real browser: the manifest loads, the worker registers for the whole site, and with the
network gone a page shows the offline page with the crisis lines; nothing private is ever kept."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from alongside.library.models import Category, Resource
from alongside.service.selectors import forget_snapshot
from tests import factories
from tests.browser.conftest import LiveServer, screenshot

pytestmark = pytest.mark.browser


def _crisis_lines() -> None:
    Resource.objects.create(title="Emergency", phone="000", category=Category.CRISIS, is_crisis=True, position=0)
    Resource.objects.create(title="Lifeline", phone="13 11 14", category=Category.CRISIS, is_crisis=True, position=1)
    forget_snapshot()


def _worker_ready(page: Page) -> dict[str, Any]:
    """Wait until the worker is active and controls the page; its scope and what it keeps."""
    return page.evaluate(
        """async () => {
            const registration = await navigator.serviceWorker.ready;
            if (!navigator.serviceWorker.controller) {
                await new Promise(resolve => navigator.serviceWorker.addEventListener("controllerchange", resolve));
            }
            const kept = [];
            for (const name of await caches.keys()) {
                const cache = await caches.open(name);
                for (const request of await cache.keys()) { kept.push(new URL(request.url).pathname); }
            }
            return { scope: registration.scope, kept: kept.sort() };
        }"""
    )


def test_the_manifest_and_worker_register_and_offline_pages_show_the_crisis_lines(
    page: Page, asgi_live_server: LiveServer, sign_in_as: Callable[[BrowserContext, Any], None]
) -> None:
    _crisis_lines()
    sign_in_as(page.context, factories.member(display_name="Alice"))
    page.goto("/")
    manifest_url = page.locator('link[rel="manifest"]').get_attribute("href")
    assert manifest_url == "/manifest.webmanifest"
    manifest = page.evaluate("url => fetch(url).then(r => r.json())", manifest_url)
    assert manifest["start_url"] == "/" and manifest["display"] == "standalone"
    for icon in manifest["icons"]:
        status = page.evaluate("url => fetch(url).then(r => r.status)", icon["src"])
        assert status == 200, icon["src"]

    worker = _worker_ready(page)
    assert worker["scope"] == f"{asgi_live_server.url}/"
    # Only what the worker fetched at install: the offline page and its files, never a page someone visited.
    assert "/offline/" in worker["kept"]
    assert all(path == "/offline/" or path.startswith("/static/") for path in worker["kept"]), worker["kept"]

    page.goto("/profile/")  # a private page, visited online
    expect(page.get_by_role("heading", level=1)).to_have_text("Your profile")

    page.context.set_offline(True)
    try:
        page.goto("/profile/")
        expect(page.get_by_role("heading", level=1)).to_have_text("You're offline")
        lines = page.get_by_role("region", name="Urgent help, day and night")
        expect(lines).to_contain_text("Lifeline 13 11 14")
        expect(lines.get_by_role("link", name="000")).to_have_attribute("href", "tel:000")
        expect(page.get_by_text("Alice")).to_have_count(0)
        screenshot(page, "offline")
    finally:
        page.context.set_offline(False)

    after = _worker_ready(page)
    assert "/profile/" not in after["kept"] and "/" not in after["kept"]
