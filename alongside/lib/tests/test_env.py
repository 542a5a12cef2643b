import pytest

from alongside.lib.env import EnvError, envbool, envchoice, envint, envlist, envsecret


def test_envbool_reads_common_spellings(monkeypatch):
    for raw, expected in [("1", True), ("yes", True), ("ON", True), ("0", False), ("off", False), ("", False)]:
        monkeypatch.setenv("X_FLAG", raw)
        assert envbool("X_FLAG") is expected


def test_envbool_fails_loudly_on_nonsense(monkeypatch):
    monkeypatch.setenv("X_FLAG", "maybe")
    with pytest.raises(EnvError, match="X_FLAG"):
        envbool("X_FLAG")


def test_envint_rejects_words_and_values_below_the_minimum(monkeypatch):
    monkeypatch.setenv("X_NUM", "ten")
    with pytest.raises(EnvError, match="integer"):
        envint("X_NUM", 1)
    monkeypatch.setenv("X_NUM", "3")
    with pytest.raises(EnvError, match="at least 5"):
        envint("X_NUM", 10, minimum=5)
    monkeypatch.delenv("X_NUM")
    assert envint("X_NUM", 10) == 10


def test_envchoice_names_the_allowed_values(monkeypatch):
    monkeypatch.setenv("X_ENV", "staging")
    with pytest.raises(EnvError, match="development, production"):
        envchoice("X_ENV", ("development", "production"), "development")


def test_envlist_splits_on_commas(monkeypatch):
    monkeypatch.setenv("X_LIST", " a.example, b.example ,,")
    assert envlist("X_LIST") == ["a.example", "b.example"]


def test_envsecret_reads_the_file_variant(monkeypatch, tmp_path):
    secret = tmp_path / "secret"
    secret.write_text("s3cret\n")
    monkeypatch.setenv("X_SECRET_FILE", str(secret))
    assert envsecret("X_SECRET") == "s3cret"
    monkeypatch.setenv("X_SECRET_FILE", str(tmp_path / "missing"))
    with pytest.raises(EnvError, match="cannot be read"):
        envsecret("X_SECRET")
