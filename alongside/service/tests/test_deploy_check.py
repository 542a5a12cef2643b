"""`manage.py check --deploy` is clean with production settings."""

import os
import subprocess
import sys
from pathlib import Path

from alongside.lib.crypto import generate_key

ROOT = Path(__file__).resolve().parents[3]


def _run_with(env_overrides, *args):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ALONGSIDE_", "PYTEST", "DJANGO_ALLOW_ASYNC"))}
    env.update(env_overrides)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def test_check_deploy_is_clean_in_production(tmp_path):
    result = _run_with(
        {
            "ALONGSIDE_ENV": "production",
            "ALONGSIDE_SECRET_KEY": "p" * 10 + "-a-long-random-production-secret-key-value-0123456789",
            "ALONGSIDE_ENCRYPTION_KEYS": generate_key("prod"),
            "ALONGSIDE_ALLOWED_HOSTS": "peer.example.org",
            "ALONGSIDE_DATA_DIR": str(tmp_path),
        },
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_refuses_to_start_without_secrets(tmp_path):
    result = _run_with({"ALONGSIDE_ENV": "production", "ALONGSIDE_DATA_DIR": str(tmp_path)}, "check")
    assert result.returncode != 0
    assert "ALONGSIDE_SECRET_KEY" in result.stderr
    result = _run_with(
        {"ALONGSIDE_ENV": "production", "ALONGSIDE_SECRET_KEY": "s" * 60, "ALONGSIDE_DATA_DIR": str(tmp_path)}, "check"
    )
    assert result.returncode != 0
    assert "ALONGSIDE_ENCRYPTION_KEYS" in result.stderr


def test_development_keeps_generated_secrets_in_the_data_directory(tmp_path):
    env = {"ALONGSIDE_DATA_DIR": str(tmp_path)}
    assert _run_with(env, "check").returncode == 0
    key = (tmp_path / "encryption_keys").read_text()
    assert _run_with(env, "check").returncode == 0
    assert (tmp_path / "encryption_keys").read_text() == key
    assert oct((tmp_path / "secret_key").stat().st_mode & 0o777) == "0o600"
