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


def test_auto_workers_use_every_core_only_when_processes_can_share_state() -> None:
    from alongside.service.management.commands.serve import worker_count

    assert worker_count("auto", shared_state=True, cores=4) == 4
    assert worker_count("auto", shared_state=False, cores=4) == 1  # no REDIS_URL: they would share nothing
    assert worker_count(3, shared_state=True, cores=8) == 3
    assert worker_count(1, shared_state=False, cores=8) == 1


def test_a_bad_worker_count_is_refused() -> None:
    import argparse

    from alongside.service.management.commands.serve import workers_argument

    assert workers_argument("auto") == "auto" and workers_argument("2") == 2
    for bad in ("0", "many"):
        with pytest.raises(argparse.ArgumentTypeError):
            workers_argument(bad)
