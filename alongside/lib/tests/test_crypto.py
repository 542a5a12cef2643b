import pytest
from django.db import connection

from alongside.accounts.models import Profile
from alongside.lib.crypto import CryptoError, KeyRing, generate_key, is_encrypted


def test_it_round_trips_text_and_names_the_key():
    ring = KeyRing.parse(generate_key("k1"))
    token = ring.encrypt("a hard night on call")
    assert token.startswith("enc1:k1:")
    assert "hard night" not in token
    assert ring.decrypt(token) == "a hard night on call"


def test_the_same_text_encrypts_differently_each_time():
    ring = KeyRing.parse(generate_key("k1"))
    assert ring.encrypt("same") != ring.encrypt("same")


def test_old_values_still_decrypt_after_a_new_primary_key():
    old = generate_key("old")
    token = KeyRing.parse(old).encrypt("kept")
    ring = KeyRing.parse(generate_key("new") + "," + old)
    assert ring.primary == "new"
    assert ring.decrypt(token) == "kept"
    assert ring.needs_rotation(token)


def test_a_tampered_value_or_wrong_context_fails():
    ring = KeyRing.parse(generate_key("k1"))
    token = ring.encrypt("x", context="a")
    with pytest.raises(CryptoError):
        ring.decrypt(token, context="b")
    with pytest.raises(CryptoError):
        ring.decrypt(token[:-4] + "AAAA", context="a")


def test_a_missing_key_is_reported_by_id():
    token = KeyRing.parse(generate_key("gone")).encrypt("x")
    with pytest.raises(CryptoError, match="gone"):
        KeyRing.parse(generate_key("k2")).decrypt(token)


@pytest.mark.parametrize(
    "spec",
    ["", "nocolon", "k1:!!!notbase64", "k1:" + "A" * 10, generate_key("dup") + "," + generate_key("dup")],
)
def test_bad_key_rings_are_refused(spec):
    with pytest.raises(CryptoError):
        KeyRing.parse(spec)


@pytest.mark.django_db
def test_a_database_dump_shows_no_real_name(member):
    member.profile.real_name = "Dr Jane Citizen"
    member.profile.save()
    with connection.cursor() as cursor:
        cursor.execute("SELECT real_name FROM accounts_profile WHERE id = %s", [member.profile.pk])
        (raw,) = cursor.fetchone()
    assert is_encrypted(raw) and "Jane" not in raw
    assert Profile.objects.get(pk=member.profile.pk).real_name == "Dr Jane Citizen"
