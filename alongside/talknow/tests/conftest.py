"""Talk now's test helpers: the service open or closed without depending on the wall clock, and a request made."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from alongside.service.selectors import ServiceSnapshot


@pytest.fixture
def open_service(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Opening hours cover every moment (the hours themselves are tested in the service app)."""
    monkeypatch.setattr(ServiceSnapshot, "is_open_at", lambda self, moment: True)
    yield


@pytest.fixture
def closed_service(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(ServiceSnapshot, "is_open_at", lambda self, moment: False)
    yield
