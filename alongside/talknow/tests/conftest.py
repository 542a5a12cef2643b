"""Talk now's test helpers: the service open or closed without depending on the wall clock."""

from __future__ import annotations

import pytest

from alongside.service.selectors import ServiceSnapshot


@pytest.fixture
def open_service(monkeypatch: pytest.MonkeyPatch) -> None:
    """Opening hours cover every moment (the hours themselves are tested in the service app)."""
    monkeypatch.setattr(ServiceSnapshot, "is_open_at", lambda self, moment: True)


@pytest.fixture
def closed_service(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ServiceSnapshot, "is_open_at", lambda self, moment: False)
