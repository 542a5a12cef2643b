"""Voice call settings fail loudly on values that could never work."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
READ = "import alongside.settings as s; print((s.ALONGSIDE_STUN_URLS, s.ALONGSIDE_TURN_URLS, s.ALONGSIDE_TURN_SECRET, s.ALONGSIDE_TURN_TTL, s.ALONGSIDE_RELAY_ONLY))"


def _settings_with(tmp_path, **overrides):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ALONGSIDE_", "PYTEST", "DJANGO_ALLOW_ASYNC"))}
    env.update({"ALONGSIDE_TESTING": "1", "ALONGSIDE_DATA_DIR": str(tmp_path), **overrides})
    return subprocess.run([sys.executable, "-c", READ], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)


def test_calls_need_no_ice_servers_by_default(tmp_path):
    result = _settings_with(tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "([], [], '', 3600, False)"


def test_it_reads_the_turn_secret_from_a_file(tmp_path):
    secret = tmp_path / "turn_secret"
    secret.write_text("from-a-file\n")
    result = _settings_with(
        tmp_path,
        ALONGSIDE_STUN_URLS="stun:stun.example.org:3478, stuns:stun.example.org:5349",
        ALONGSIDE_TURN_URLS="turns:turn.example.org:5349",
        ALONGSIDE_TURN_SECRET_FILE=str(secret),
        ALONGSIDE_TURN_TTL="900",
        ALONGSIDE_RELAY_ONLY="yes",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == (
        "(['stun:stun.example.org:3478', 'stuns:stun.example.org:5349'], ['turns:turn.example.org:5349'], "
        "'from-a-file', 900, True)"
    )


def test_turn_without_a_secret_stops_the_process(tmp_path):
    result = _settings_with(tmp_path, ALONGSIDE_TURN_URLS="turn:turn.example.org")
    assert result.returncode != 0
    assert "ALONGSIDE_TURN_SECRET" in result.stderr


def test_relay_only_without_turn_stops_the_process(tmp_path):
    result = _settings_with(tmp_path, ALONGSIDE_RELAY_ONLY="1")
    assert result.returncode != 0
    assert "ALONGSIDE_RELAY_ONLY needs ALONGSIDE_TURN_URLS" in result.stderr


def test_a_url_with_the_wrong_scheme_stops_the_process(tmp_path):
    result = _settings_with(tmp_path, ALONGSIDE_STUN_URLS="turn:turn.example.org")
    assert result.returncode != 0
    assert "must start with stun:" in result.stderr


def test_a_short_ttl_stops_the_process(tmp_path):
    result = _settings_with(
        tmp_path, ALONGSIDE_TURN_URLS="turn:t.example.org", ALONGSIDE_TURN_SECRET="s", ALONGSIDE_TURN_TTL="5"
    )
    assert result.returncode != 0
    assert "ALONGSIDE_TURN_TTL must be at least 60" in result.stderr
