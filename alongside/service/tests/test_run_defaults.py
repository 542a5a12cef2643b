"""What `make run` serves with: debug off unless asked for, and a site URL that follows HOST and PORT."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from alongside.service.management.commands.serve import follow_address

_PRINT_DEBUG = "import django; django.setup(); from django.conf import settings; print(settings.DEBUG)"


def _debug_in_a_fresh_process(tmp_path: Path, **env: str) -> str:
    """settings.DEBUG as a process started like `make run` (development, not under pytest) sees it."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("ALONGSIDE_")}
    clean.update({"DJANGO_SETTINGS_MODULE": "alongside.settings", "ALONGSIDE_DATA_DIR": str(tmp_path), **env})
    done = subprocess.run(
        [sys.executable, "-c", _PRINT_DEBUG], env=clean, capture_output=True, text=True, timeout=60, check=True
    )
    return done.stdout.strip()


def test_make_run_serves_with_debug_off_by_default(tmp_path: Path) -> None:
    assert _debug_in_a_fresh_process(tmp_path) == "False"


def test_alongside_debug_turns_debug_on_for_development(tmp_path: Path) -> None:
    assert _debug_in_a_fresh_process(tmp_path, ALONGSIDE_DEBUG="1") == "True"


@pytest.fixture
def address_env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for name in ("ALONGSIDE_SITE_URL", "ALONGSIDE_CSRF_TRUSTED_ORIGINS", "ALONGSIDE_ALLOWED_HOSTS"):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def test_the_site_url_follows_the_port_served_on(address_env: pytest.MonkeyPatch, settings: Any) -> None:
    assert follow_address("127.0.0.1", 8123) == "http://127.0.0.1:8123"
    assert settings.SITE_URL == "http://127.0.0.1:8123"
    assert settings.CSRF_TRUSTED_ORIGINS == ["http://127.0.0.1:8123"]
    # uvicorn's worker processes read the settings again, from the environment
    assert os.environ["ALONGSIDE_SITE_URL"] == "http://127.0.0.1:8123"


def test_the_site_url_follows_the_host_and_its_name_is_allowed(address_env: pytest.MonkeyPatch, settings: Any) -> None:
    settings.ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
    assert follow_address("peer.local", 9000) == "http://peer.local:9000"
    assert "peer.local" in settings.ALLOWED_HOSTS


def test_a_wildcard_host_gives_a_reachable_site_url(address_env: pytest.MonkeyPatch, settings: Any) -> None:
    assert follow_address("0.0.0.0", 8123) == "http://127.0.0.1:8123"


def test_alongside_site_url_wins_over_host_and_port(address_env: pytest.MonkeyPatch, settings: Any) -> None:
    address_env.setenv("ALONGSIDE_SITE_URL", "https://peer.example.org")
    settings.SITE_URL = "https://peer.example.org"
    settings.CSRF_TRUSTED_ORIGINS = ["https://peer.example.org"]
    assert follow_address("127.0.0.1", 8123) == "https://peer.example.org"
    assert settings.SITE_URL == "https://peer.example.org"
    assert settings.CSRF_TRUSTED_ORIGINS == ["https://peer.example.org"]


@pytest.mark.django_db
def test_emails_carry_links_to_the_port_served_on(address_env: pytest.MonkeyPatch, settings: Any) -> None:
    """The offer email's link is built from the site URL, so it follows too (text and HTML parts)."""
    from alongside.connections.services import offer_email
    from tests import factories

    follow_address("127.0.0.1", 8123)
    email = offer_email(factories.supporter())
    html = str(email.alternatives[0][0])  # type: ignore[index]
    assert "http://127.0.0.1:8123/supporter/offers/" in str(email.body)
    assert "http://127.0.0.1:8123/supporter/offers/" in html
    assert ":8000" not in str(email.body) + html
