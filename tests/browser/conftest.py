"""Browser test harness: the real ASGI app under uvicorn in a thread, driven by Debian's Chromium.

Fixtures for browser tests (every test here is marked ``@pytest.mark.browser``):

- ``asgi_server``: session-wide uvicorn serving ``alongside.asgi.application`` (HTTP and websockets) on a free port.
- ``asgi_live_server``: the same server for one test, with ``transactional_db`` (the server thread sees committed
  data) and the settings that let it accept requests from its own address.
- ``page`` / ``context`` / ``new_context``: pytest-playwright's, with ``base_url`` set to the live server and every
  Content-Security-Policy report and uncaught page error collected in ``browser_problems``; a test that leaves any
  there fails.
- ``media_browser``: a second Chromium with fake camera and microphone (for voice calls), launched only when a
  test asks for it; make contexts on it with ``media_context()``.
- ``sign_in_as(context, user)``: put a signed-in session cookie into a browser context without the sign-in form.
- ``totp_code(secret)``: the current authenticator code for a TOTP secret.
- ``wait_for_db(check, what)``: poll the database until the server thread's write shows, or fail saying what.

Chromium is never downloaded: when ``/usr/bin/chromium`` is missing these tests are skipped, or fail with
``CI=true``.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import pytest
import uvicorn
from axe_playwright_python.sync_playwright import Axe
from django import db
from django.conf import settings as django_settings
from django.db import OperationalError
from django.test import Client
from playwright.sync_api import Browser, BrowserContext, BrowserType, ConsoleMessage, Page, WebError

from alongside.demo.loader import current_code

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
FAKE_MEDIA_ARGS = ["--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream"]
DESKTOP = {"width": 1280, "height": 800}
MOBILE = {"width": 390, "height": 844}
HOST = "127.0.0.1"


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() == "true"


def require_chromium() -> None:
    """Skip without Debian's Chromium; in CI (``CI=true``) a missing browser is a failure, not a skip."""
    if CHROMIUM.exists():
        return
    message = f"{CHROMIUM} is missing (apt-get install chromium); browser tests need it"
    if _in_ci():
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


@pytest.fixture(autouse=True)
def _chromium_present() -> None:
    require_chromium()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Every test in this folder drives a browser; make sure each carries the marker so ``-m`` selects it."""
    here = Path(__file__).parent
    for item in items:
        if here not in Path(str(item.fspath)).parents:
            continue
        if item.get_closest_marker("browser") is None:
            item.add_marker(pytest.mark.browser)
        # Static files are served asynchronously by ServeStatic: a sync-iterator warning here is a real regression.
        item.add_marker(pytest.mark.filterwarnings("error:StreamingHttpResponse must consume synchronous iterators"))


# --- the live ASGI server -------------------------------------------------------------------------------------


@dataclass
class LiveServer:
    host: str
    port: int

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def ws_url(self) -> str:
        return f"ws://{self.host}:{self.port}"

    def __str__(self) -> str:
        return self.url


class _ThreadedServer(uvicorn.Server):
    def install_signal_handlers(self) -> None:  # pragma: no cover - older uvicorn only; the test process owns signals
        pass


@pytest.fixture(scope="session")
def asgi_server(django_db_setup: None) -> Iterator[LiveServer]:
    """uvicorn serving the real ASGI app from a background thread of this process, for the whole session.

    It shares this process's settings, caches, channel layer, ``mail.outbox`` and (SQLite) in-memory test database.
    """
    from alongside.asgi import application

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((HOST, 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(application, host=HOST, port=port, lifespan="off", log_level="warning")
    server = _ThreadedServer(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, name="uvicorn-test", daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the test ASGI server did not start")
        time.sleep(0.01)
    yield LiveServer(HOST, port)
    server.should_exit = True
    thread.join(timeout=10)
    sock.close()


@pytest.fixture
def asgi_live_server(asgi_server: LiveServer, transactional_db: None, settings: Any) -> LiveServer:
    """The live server for one test. Data the test creates is committed, so the server thread sees it."""
    settings.ALLOWED_HOSTS = [*django_settings.ALLOWED_HOSTS, HOST]
    settings.CSRF_TRUSTED_ORIGINS = [*django_settings.CSRF_TRUSTED_ORIGINS, asgi_server.url]
    settings.SITE_URL = asgi_server.url
    return asgi_server


# --- Chromium through pytest-playwright ----------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser_type_launch_args(request: pytest.FixtureRequest) -> dict[str, Any]:
    """Debian's Chromium, headless. ``@pytest.mark.parametrize("browser_type_launch_args", [FAKE_MEDIA_ARGS],
    indirect=True)`` adds arguments (a separate browser is launched for each distinct list)."""
    require_chromium()
    extra = list(getattr(request, "param", None) or [])
    return {"executable_path": str(CHROMIUM), "headless": True, "args": [*CHROMIUM_ARGS, *extra]}


@pytest.fixture
def browser_context_args(asgi_live_server: LiveServer) -> dict[str, Any]:
    return {
        "base_url": asgi_live_server.url,
        "viewport": DESKTOP,
        "locale": "en-AU",
        "timezone_id": "Australia/Melbourne",
    }


@dataclass
class BrowserProblems:
    """What the browser reported that no page should ever cause: CSP violations and uncaught script errors."""

    csp: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def watch(self, context: BrowserContext) -> BrowserContext:
        context.on("console", self._on_console)
        context.on("weberror", self._on_error)
        return context

    def _on_console(self, message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text:
            self.csp.append(f"{message.location.get('url', '')}: {message.text}")

    def _on_error(self, error: WebError) -> None:
        self.errors.append(str(error.error))

    def assert_none(self) -> None:
        assert not self.csp, "Content-Security-Policy violations:\n" + "\n".join(self.csp)
        assert not self.errors, "Uncaught script errors:\n" + "\n".join(self.errors)


@pytest.fixture
def browser_problems() -> BrowserProblems:
    return BrowserProblems()


@pytest.fixture
def new_context(new_context: Callable[..., BrowserContext], browser_problems: BrowserProblems) -> Iterator[Any]:
    """pytest-playwright's context factory, with every context watched for CSP violations and script errors."""

    def _new(**kwargs: Any) -> BrowserContext:
        return browser_problems.watch(new_context(**kwargs))

    yield _new
    browser_problems.assert_none()


@pytest.fixture(scope="session")
def media_browser(browser_type: BrowserType) -> Iterator[Browser]:
    """A Chromium whose camera and microphone are fakes that need no permission prompt (for voice calls)."""
    require_chromium()
    browser = browser_type.launch(executable_path=str(CHROMIUM), headless=True, args=[*CHROMIUM_ARGS, *FAKE_MEDIA_ARGS])
    yield browser
    browser.close()


@pytest.fixture
def media_context(
    media_browser: Browser, browser_context_args: dict[str, Any], browser_problems: BrowserProblems
) -> Iterator[Callable[..., BrowserContext]]:
    """Make contexts on ``media_browser`` (watched like the others); closed after the test."""
    contexts: list[BrowserContext] = []

    def _new(**kwargs: Any) -> BrowserContext:
        context = media_browser.new_context(**{**browser_context_args, "permissions": ["microphone"], **kwargs})
        contexts.append(browser_problems.watch(context))
        return context

    yield _new
    for context in contexts:
        context.close()
    browser_problems.assert_none()


# --- signing in -----------------------------------------------------------------------------------------------


@pytest.fixture
def sign_in_as(asgi_live_server: LiveServer) -> Callable[[BrowserContext, Any], None]:
    """Give a browser context a session signed in as ``user``, as if they had used the sign-in form (and MFA)."""

    def _sign_in(context: BrowserContext, user: Any) -> None:
        client = Client()
        client.force_login(user)
        cookie = client.cookies[django_settings.SESSION_COOKIE_NAME]
        context.add_cookies(
            [
                {
                    "name": django_settings.SESSION_COOKIE_NAME,
                    "value": cookie.value,
                    "url": asgi_live_server.url,
                    "httpOnly": True,
                    "sameSite": "Lax",
                }
            ]
        )

    return _sign_in


def totp_code(secret: str) -> str:
    """The code an authenticator app would show now for ``secret``."""
    return current_code(secret)


T = TypeVar("T")


def wait_for_db(check: Callable[[], T | None], what: str, timeout: float = 5.0) -> T:
    """The first truthy result of ``check()``, polled until the server thread's write shows; fails after ``timeout``.

    The page often shows a change before the server has stored it, and the in-memory SQLite test database refuses a
    read while the server thread writes ('database table is locked'), so such a read is simply tried again.
    """
    deadline = time.monotonic() + timeout
    while True:
        try:
            result = check()
        except OperationalError:
            result = None
        if result:
            return result
        if time.monotonic() > deadline:
            pytest.fail(f"waited {timeout:g} s for {what}", pytrace=False)
        time.sleep(0.05)


# --- screenshots ----------------------------------------------------------------------------------------------

SCREENS = os.environ.get("ALONGSIDE_SCREENSHOTS", "")


def screenshot(page: Page, name: str) -> None:
    """With ``ALONGSIDE_SCREENSHOTS=<dir>``, save the page at desktop and mobile widths (for people to look at)."""
    if not SCREENS:
        return
    folder = Path(SCREENS)
    folder.mkdir(parents=True, exist_ok=True)
    original = page.viewport_size or DESKTOP
    for label, size in (("desktop", DESKTOP), ("mobile", MOBILE)):
        page.set_viewport_size(size)
        page.screenshot(path=str(folder / f"{name}-{label}.png"), full_page=True)
    page.set_viewport_size(original)


# --- accessibility ----------------------------------------------------------------------------------------------

AXE = Axe()
AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]},
    "resultTypes": ["violations"],
}
BLOCKING = {"serious", "critical"}
BOTH_SIZES = (DESKTOP, MOBILE)


def serious_violations(page: Page, *, sizes: Sequence[dict[str, int]] = ()) -> list[str]:
    """axe-core's WCAG 2.2 A/AA and best-practice rules, the serious and critical findings, at each of ``sizes``
    (``BOTH_SIZES`` for touch targets and reflow too; by default the page's own size). The page keeps its size."""
    original = page.viewport_size or DESKTOP
    page.evaluate(AXE.axe_script)
    found: list[str] = []
    for size in sizes or (original,):
        page.set_viewport_size(size)
        results = page.evaluate("options => axe.run(document, options)", AXE_OPTIONS)
        found += [
            f"{page.url} {size['width']}px {v['id']} ({v['impact']}): {v['help']} — "
            + "; ".join(str(n["target"][0]) for n in v["nodes"][:5])
            for v in results["violations"]
            if v.get("impact") in BLOCKING
        ]
    page.set_viewport_size(original)
    return found


def off_the_browser_thread(work: Callable[[], T]) -> T:
    """Run service calls in a thread of their own: they notify through ``async_to_sync``, which refuses to run in the
    thread where Playwright's event loop lives."""

    def run() -> T:
        try:
            return work()
        finally:
            db.connections.close_all()

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(run).result()
