"""Requests run on a fixed set of threads that keep their database connections between requests."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator

import httpx
import pytest
from django.core.handlers.asgi import ASGIHandler
from django.db import connections
from django.db.backends.signals import connection_created

from alongside.lib.request_threads import RequestThreadsASGIHandler

pytestmark = pytest.mark.django_db(transaction=True)
REQUESTS = 12


@pytest.fixture
def opened() -> Iterator[list[int]]:
    """The thread of every database connection opened while the test runs."""
    threads: list[int] = []

    def count(**_kwargs: object) -> None:
        threads.append(threading.get_ident())

    connection_created.connect(count)
    yield threads
    connection_created.disconnect(count)


async def _get_many(app: ASGIHandler, concurrent: int = 3) -> None:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as client:
        for start in range(0, REQUESTS, concurrent):
            answers = await asyncio.gather(*(client.get("/healthz") for _ in range(min(concurrent, REQUESTS - start))))
            assert all(answer.status_code == 200 for answer in answers)


def _close_connections(app: RequestThreadsASGIHandler) -> None:
    for executor in app._executors:
        executor.submit(connections.close_all).result()


def test_djangos_own_handler_opens_a_connection_for_every_request(opened: list[int]) -> None:
    # What the site did before: a new thread per request, so a new connection per request.
    asyncio.run(_get_many(ASGIHandler()))
    assert len(opened) == REQUESTS


def test_requests_reuse_their_threads_and_connections(opened: list[int], monkeypatch: pytest.MonkeyPatch) -> None:
    # Tests close connections after each request (so that the test database can be dropped); the site keeps them.
    monkeypatch.setitem(connections.settings["default"], "CONN_MAX_AGE", 600)
    app = RequestThreadsASGIHandler(threads=2)
    try:
        asyncio.run(_get_many(app))
        assert 1 <= len(opened) <= 2  # one per thread at most, kept between requests (CONN_MAX_AGE)
        assert {t.name for t in threading.enumerate() if t.name.startswith("request-")} <= {
            "request-0_0",
            "request-1_0",
        }
    finally:
        _close_connections(app)


def test_requests_beyond_the_threads_wait_their_turn_and_all_are_answered() -> None:
    app = RequestThreadsASGIHandler(threads=1)
    try:
        asyncio.run(_get_many(app, concurrent=REQUESTS))
    finally:
        _close_connections(app)


def test_it_is_the_sites_http_application() -> None:
    from alongside.asgi import django_asgi_app

    assert isinstance(django_asgi_app, RequestThreadsASGIHandler) and django_asgi_app.threads >= 1
