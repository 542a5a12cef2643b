"""ICE servers and coturn REST credentials (``use-auth-secret``)."""

import base64
import datetime as dt
import hashlib
import hmac
import re

import pytest
from django.utils import timezone

from alongside.calls.ice import ice_config, opaque_ref, turn_credential

TURN = ["turn:turn.example.org:3478?transport=udp", "turns:turn.example.org:5349?transport=tcp"]


def test_the_credential_matches_a_known_vector():
    # Computed independently: printf '%s' "1700000000:alongside-test-ref" | openssl dgst -sha1 -hmac north -binary | base64
    made = turn_credential(secret="north", ref="alongside-test-ref", expires=1700000000)
    assert made.username == "1700000000:alongside-test-ref"
    assert made.credential == "i474WTRLX7U4tsFwmt9ADz4UcmA="


def test_the_credential_matches_coturns_rest_example_shape():
    # The shape coturn documents (timestamp:user), same secret: openssl gives Gx/rOncp1ZXBdeBo0S3RrYQnHDA=
    assert turn_credential(secret="north", ref="my_username", expires=1433895918506).credential == (
        "Gx/rOncp1ZXBdeBo0S3RrYQnHDA="
    )


def test_a_ref_with_a_colon_is_refused():
    with pytest.raises(ValueError, match="':'"):
        turn_credential(secret="north", ref="a:b", expires=1)


def test_it_offers_no_servers_by_default(settings):
    settings.ALONGSIDE_STUN_URLS, settings.ALONGSIDE_TURN_URLS, settings.ALONGSIDE_RELAY_ONLY = [], [], False
    assert ice_config(call_id=1, user_id=2) == {"iceServers": [], "iceTransportPolicy": "all"}


def test_it_gives_stun_and_a_time_limited_turn_credential(settings, monkeypatch):
    at = dt.datetime(2026, 11, 26, 6, 0, tzinfo=dt.UTC)
    monkeypatch.setattr(timezone, "now", lambda: at)
    settings.ALONGSIDE_STUN_URLS = ["stun:stun.example.org:3478"]
    settings.ALONGSIDE_TURN_URLS = TURN
    settings.ALONGSIDE_TURN_SECRET = "a-shared-secret"
    settings.ALONGSIDE_TURN_TTL = 600
    settings.ALONGSIDE_RELAY_ONLY = True
    config = ice_config(call_id=7, user_id=3)
    assert config["iceTransportPolicy"] == "relay"
    stun, turn = config["iceServers"]
    assert stun == {"urls": ["stun:stun.example.org:3478"]}
    assert turn["urls"] == TURN
    expiry, ref = turn["username"].split(":")
    assert int(expiry) == int(at.timestamp()) + 600
    expected = base64.b64encode(hmac.new(b"a-shared-secret", turn["username"].encode(), hashlib.sha1).digest())
    assert turn["credential"] == expected.decode()
    assert ref == opaque_ref(call_id=7, user_id=3)


def test_the_turn_username_names_nobody(settings, member):
    settings.ALONGSIDE_TURN_URLS, settings.ALONGSIDE_TURN_SECRET = TURN, "s"
    username = ice_config(call_id=1, user_id=member.pk)["iceServers"][-1]["username"]
    expiry, ref = username.split(":")
    assert expiry.isdigit()
    assert re.fullmatch(r"[0-9a-f]{20}", ref)  # an opaque token: no email, no name, not the id
    assert ref != str(member.pk)
    assert member.email not in username and member.profile.display_name not in username


def test_each_call_and_each_person_gets_a_different_ref():
    refs = {opaque_ref(call_id=c, user_id=u) for c in (1, 2) for u in (1, 2)}
    assert len(refs) == 4
    assert opaque_ref(call_id=1, user_id=1) == opaque_ref(call_id=1, user_id=1)
