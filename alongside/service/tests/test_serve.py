"""`alongside serve` (what `make run` ends with) refuses a taken port with a message that says what to do."""

from __future__ import annotations

import socket

import pytest
from django.core.management import CommandError, call_command


def test_a_port_already_in_use_is_refused_with_what_to_do_instead() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(CommandError) as refused:
            call_command("serve", "--host", "127.0.0.1", "--port", str(port), "--no-worker")
    message = str(refused.value)
    assert f"Port {port} on 127.0.0.1 is already in use" in message
    assert f"make run PORT={port + 1}" in message
