"""VAPID keys: read from the environment as PEM or base64url, made in the data directory for development, and push
off in production without them. Bad keys stop the process with a clear error."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from alongside.lib import vapid

ROOT = Path(__file__).resolve().parents[3]
READ = (
    "import alongside.settings as s; "
    "print(s.ALONGSIDE_PUSH_ENABLED, s.VAPID_KEYS.public_key if s.VAPID_KEYS else '-', s.VAPID_SUBJECT or '-')"
)
PRODUCTION = {
    "ALONGSIDE_ENV": "production",
    "ALONGSIDE_SECRET_KEY": "x" * 60,
    "ALONGSIDE_ENCRYPTION_KEYS": "k1:" + "A" * 43,
}


def _settings(tmp_path: Path, *, testing: bool = False, **overrides: str) -> subprocess.CompletedProcess[str]:
    """The settings as a fresh process reads them (not under pytest unless ``testing``)."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("ALONGSIDE_", "VAPID_", "PYTEST", "DJANGO_ALLOW_ASYNC"))
    }
    env.update({"ALONGSIDE_DATA_DIR": str(tmp_path), "ALONGSIDE_TESTING": "1" if testing else "0", **overrides})
    return subprocess.run([sys.executable, "-c", READ], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)


def test_development_makes_a_key_pair_in_the_data_directory_and_keeps_it(tmp_path):
    first = _settings(tmp_path)
    assert first.returncode == 0, first.stderr
    enabled, public, subject = first.stdout.split()
    assert enabled == "True" and subject.startswith("mailto:")
    kept = tmp_path / "vapid_private_key.pem"
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600
    assert vapid.load(kept.read_text()).public_key == public
    assert _settings(tmp_path).stdout.split()[1] == public  # a restart keeps the devices' subscriptions valid


def test_production_without_keys_has_push_off(tmp_path):
    result = _settings(tmp_path, **PRODUCTION)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "-", "-"]


def test_production_reads_a_base64url_key_and_its_public_key(tmp_path):
    keys = vapid.generate()
    result = _settings(
        tmp_path,
        **PRODUCTION,
        VAPID_PRIVATE_KEY=keys.private_raw,
        VAPID_PUBLIC_KEY=keys.public_key,
        VAPID_SUBJECT="mailto:support@peers.example.org",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", keys.public_key, "mailto:support@peers.example.org"]


def test_production_reads_a_pem_key_from_a_file(tmp_path):
    keys = vapid.generate()
    pem = tmp_path / "vapid.pem"
    pem.write_text(vapid.private_pem(keys))
    result = _settings(
        tmp_path, **PRODUCTION, VAPID_PRIVATE_KEY_FILE=str(pem), VAPID_SUBJECT="https://peers.example.org/contact"
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[:2] == ["True", keys.public_key]


@pytest.mark.parametrize(
    ("env", "error"),
    [
        ({"VAPID_PRIVATE_KEY": "not-a-key!"}, "VAPID_PRIVATE_KEY must be PEM, or base64url"),
        ({"VAPID_PRIVATE_KEY": "AAAA"}, "VAPID_PRIVATE_KEY in base64url must be 32 bytes"),
        ({"VAPID_PRIVATE_KEY": "-----BEGIN PRIVATE KEY-----\nxx\n-----END PRIVATE KEY-----"}, "not a readable"),
        ({"VAPID_PUBLIC_KEY": vapid.generate().public_key}, "VAPID_PUBLIC_KEY is set without VAPID_PRIVATE_KEY"),
    ],
)
def test_a_bad_key_stops_the_process(tmp_path, env, error):
    result = _settings(tmp_path, **PRODUCTION, VAPID_SUBJECT="mailto:a@peers.example.org", **env)
    assert result.returncode != 0
    assert error in result.stderr


def test_a_public_key_that_is_not_the_private_keys_stops_the_process(tmp_path):
    result = _settings(
        tmp_path,
        **PRODUCTION,
        VAPID_PRIVATE_KEY=vapid.generate().private_raw,
        VAPID_PUBLIC_KEY=vapid.generate().public_key,
        VAPID_SUBJECT="mailto:a@peers.example.org",
    )
    assert result.returncode != 0
    assert "VAPID_PUBLIC_KEY is not the public key of VAPID_PRIVATE_KEY" in result.stderr


def test_production_keys_need_a_contact(tmp_path):
    result = _settings(tmp_path, **PRODUCTION, VAPID_PRIVATE_KEY=vapid.generate().private_raw)
    assert result.returncode != 0
    assert "VAPID_SUBJECT must be a mailto: address or an https:// URL" in result.stderr


def test_the_command_prints_a_pair_that_loads():
    out = StringIO()
    call_command("generate_vapid_keys", stdout=out)
    lines = dict(line.split("=", 1) for line in out.getvalue().split())
    assert vapid.load(lines["VAPID_PRIVATE_KEY"], lines["VAPID_PUBLIC_KEY"]).public_key == lines["VAPID_PUBLIC_KEY"]

    pem = StringIO()
    call_command("generate_vapid_keys", "--pem", stdout=pem)
    text, _, public = pem.getvalue().rpartition("VAPID_PUBLIC_KEY=")
    assert vapid.load(text, public.strip()).public_key == public.strip()
