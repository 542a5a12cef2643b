"""A copy of the database holds no message text, concern note, phone number, real name or MFA secret in clear.

The copy is what leaves the machine in a backup: on PostgreSQL the output of ``pg_dump``, on SQLite the database file
itself (written out with ``VACUUM INTO``). ``tests/test_canaries.py`` also reads the real server's SQLite files after
a whole journey through its pages and sockets.
"""

from __future__ import annotations

import datetime as dt
import os
import secrets
import shutil
import subprocess
from pathlib import Path

import pytest
from django.db import connection

from alongside.connections.tests import factories as connection_factories
from alongside.conversations.services import get_or_create_thread_for_connection, post_message
from alongside.lib.time import now
from alongside.phoneline.services import request_callback, set_own_number
from alongside.safety.services import raise_concern
from tests import factories


def _dump(tmp_path: Path) -> bytes:
    """The whole database as a backup would take it."""
    if connection.vendor == "postgresql":
        if shutil.which("pg_dump") is None:
            pytest.skip("pg_dump is not installed")
        params = connection.settings_dict
        env = {**os.environ, "PGPASSWORD": str(params.get("PASSWORD") or "")}
        command = ["pg_dump", "--no-owner", "--dbname", str(params["NAME"])]
        for flag, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
            if params.get(key):
                command += [flag, str(params[key])]
        return subprocess.run(command, env=env, capture_output=True, check=True, timeout=120).stdout
    assert connection.vendor == "sqlite"
    copy = tmp_path / "copy.sqlite3"
    with connection.cursor() as cursor:
        cursor.execute("VACUUM INTO %s", [str(copy)])
    return copy.read_bytes()


@pytest.mark.django_db(transaction=True)
def test_a_database_dump_holds_no_sensitive_text_in_clear(tmp_path: Path) -> None:
    member = factories.member()
    supporter = factories.supporter()
    coordinator = factories.coordinator()
    factories.on_call(primary=[coordinator])
    message = f"Message{secrets.token_hex(8)}"
    note = f"Concernnote{secrets.token_hex(8)}"
    real_name = f"Realname{secrets.token_hex(8)}"
    member.profile.real_name = real_name
    member.profile.save()
    thread = get_or_create_thread_for_connection(connection=connection_factories.connection(member, supporter))
    post_message(thread_id=thread.pk, sender_id=member.pk, client_key="k1", body=message)
    raise_concern(raised_by=supporter, level="worried", source="thread", note=note, member=member, thread_id=thread.pk)
    set_own_number(user=supporter, number="0491 570 159")
    request_callback(
        name="Sam", phone="0491 570 156", window_starts_at=now(), window_ends_at=now() + dt.timedelta(hours=1)
    )

    dump = _dump(tmp_path).decode("latin-1")
    assert member.email in dump, "the dump is the whole database (an email address is kept in clear)"
    in_clear = {
        "a message": message,
        "a concern note": note,
        "a real name": real_name,
        "a supporter's own number": "491570159",
        "a call-back's number": "491570156",
        "a supporter's MFA secret": supporter.totp_secret,
        "a coordinator's MFA secret": coordinator.totp_secret,
    }
    found = [what for what, value in in_clear.items() if value in dump]
    assert found == [], f"in clear in the dump: {found}"
