"""The data directory is private to the service's user: the directory 0700, the files in it 0600.

The SQLite database holds everything (encrypted message bodies among it, but also who is
connected with whom), and the task queue holds task arguments. SQLite creates a database's
-wal and -shm files with the database file's own mode, so making the database file 0600 before
SQLite first opens it covers them too. Files made by an older version are tightened on start.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

DIRECTORY_MODE = 0o700
FILE_MODE = 0o600
SQLITE_COMPANIONS = ("-wal", "-shm", "-journal")


def _tighten(path: Path, mode: int) -> None:
    """chmod a path of ours; one owned by someone else (set up by an administrator) is left as it is."""
    stat = path.stat()
    if stat.st_uid == os.getuid() and stat.st_mode & 0o777 != mode:
        path.chmod(mode)


def private_directory(directory: Path) -> None:
    directory.mkdir(mode=DIRECTORY_MODE, parents=True, exist_ok=True)
    _tighten(directory, DIRECTORY_MODE)


def private_file(path: Path) -> None:
    """Create ``path`` empty with mode 0600 if it is missing (an empty file is a valid new SQLite database)."""
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE))
    except FileExistsError:
        _tighten(path, FILE_MODE)


def private_sqlite(databases: Iterable[Path]) -> None:
    """Each SQLite file (and any -wal, -shm or -journal beside it) 0600, in a 0700 directory."""
    for database in databases:
        private_directory(database.parent)
        private_file(database)
        for suffix in SQLITE_COMPANIONS:
            companion = database.with_name(database.name + suffix)
            if companion.exists():
                _tighten(companion, FILE_MODE)


def write_private(path: Path, text: str) -> None:
    """Write a new file that is 0600 from its first byte (no moment when others could read it)."""
    private_directory(path.parent)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    _tighten(path, FILE_MODE)
