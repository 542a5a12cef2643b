"""The harness itself: the live server speaks HTTP and websockets, and the media browser has a fake microphone."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from playwright.sync_api import BrowserContext, Page, WebSocket, expect

from tests import factories
from tests.browser.conftest import LiveServer

pytestmark = pytest.mark.browser


def test_the_live_server_serves_pages_static_files_and_websockets(
    page: Page, sign_in_as: Callable[[BrowserContext, object], None], asgi_live_server: LiveServer
) -> None:
    sign_in_as(page.context, factories.member(display_name="Alice"))
    response = page.goto("/")
    assert response is not None and response.status == 200
    css = page.request.get("/static/css/alongside.css")
    assert css.ok and "crisis-strip" in css.text()
    frames: list[dict[str, object]] = []
    sockets: list[str] = []

    def _on_websocket(ws: WebSocket) -> None:
        sockets.append(ws.url)
        ws.on("framereceived", lambda payload: frames.append(json.loads(payload)))

    page.on("websocket", _on_websocket)
    page.reload()
    expect(page.locator("[data-live-badge]")).to_have_attribute("data-count", "0")  # set only by a websocket frame
    # The badge reconnects by design if a socket drops under load; every socket it opens is the badge's own.
    assert sockets and set(sockets) == {f"{asgi_live_server.ws_url}/ws/notifications/"}
    assert frames[0] == {"type": "count", "unread": 0}
    expect(page.locator("[data-live-badge]")).to_have_attribute("data-connected", "true")


def test_the_media_browser_grants_a_fake_microphone_without_a_prompt(
    media_context: Callable[..., BrowserContext], asgi_live_server: LiveServer
) -> None:
    page = media_context().new_page()
    page.goto("/")
    track = page.evaluate(
        "async () => { const s = await navigator.mediaDevices.getUserMedia({audio: true}); "
        "const t = s.getAudioTracks()[0]; const out = {kind: t.kind, state: t.readyState}; t.stop(); return out; }"
    )
    assert track == {"kind": "audio", "state": "live"}
