"""The data directory and everything in it are private to the service's user: 0700, files 0600.

Checked on a real server under the common umask 022 (which would make new files 0644): the SQLite
database with its -wal and -shm files, the task queue, the generated secrets.
"""

from __future__ import annotations

import os
import sqlite3
import stat
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.live import LiveSite


def _modes(root: Path) -> Iterator[tuple[Path, int]]:
    yield root, stat.S_IMODE(root.stat().st_mode)
    for path in sorted(root.rglob("*")):
        yield path, stat.S_IMODE(path.stat().st_mode)


def test_a_running_server_keeps_its_data_directory_private(tmp_path: Path) -> None:
    site = LiveSite(tmp_path / "data").setup().start()
    try:
        assert httpx.get(site.base + "/healthz", timeout=10).status_code == 200
        # The -wal and -shm files exist while a connection is open: hold one, as another process might.
        previous = os.umask(0o022)
        try:
            reader = sqlite3.connect(site.data_dir / "alongside.sqlite3")
            reader.execute("SELECT count(*) FROM django_migrations").fetchone()
        finally:
            os.umask(previous)
        try:
            names = {path.name for path in site.data_dir.iterdir()}
            assert {"alongside.sqlite3", "alongside.sqlite3-wal", "alongside.sqlite3-shm", "tasks.sqlite3"} <= names
            assert {"secret_key", "encryption_keys"} <= names
            for path, mode in _modes(site.data_dir):
                assert mode == (0o700 if path.is_dir() else 0o600), f"{path.name} is {mode:o}"
        finally:
            reader.close()
    finally:
        site.stop()


def test_an_older_world_readable_data_directory_is_made_private_on_start(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir(mode=0o755)
    data.chmod(0o755)
    for name in ("alongside.sqlite3", "alongside.sqlite3-wal", "tasks.sqlite3"):
        (data / name).touch()
        (data / name).chmod(0o644)
    site = LiveSite(data)
    site.setup()  # runs `manage.py migrate` on it
    for path, mode in _modes(data):
        if path.name in ("alongside.sqlite3", "tasks.sqlite3") or path == data:
            assert mode == (0o700 if path.is_dir() else 0o600), f"{path.name} is {mode:o}"


@pytest.mark.parametrize("exists", [False, True])
def test_private_sqlite_makes_the_file_before_sqlite_does(tmp_path: Path, exists: bool) -> None:
    from alongside.lib import files

    database = tmp_path / "nested" / "db.sqlite3"
    if exists:
        database.parent.mkdir(mode=0o755)
        database.write_bytes(b"")
        database.chmod(0o644)
    files.private_sqlite([database])
    assert stat.S_IMODE(database.stat().st_mode) == 0o600
    assert stat.S_IMODE(database.parent.stat().st_mode) == 0o700
