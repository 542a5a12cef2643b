import pytest
from allauth.mfa.models import Authenticator
from django.core.management import call_command
from django.db import connection
from django.test import override_settings

from alongside.lib import crypto

pytestmark = pytest.mark.django_db


def _raw_real_name(profile_id):
    with connection.cursor() as cursor:
        cursor.execute("SELECT real_name FROM accounts_profile WHERE id = %s", [profile_id])
        return cursor.fetchone()[0]


def test_rotation_re_encrypts_everything_with_the_new_primary_key(member, supporter, settings, capsys):
    old_spec = settings.ALONGSIDE_ENCRYPTION_KEYS
    old_kid = crypto.KeyRing.parse(old_spec).primary
    member.profile.real_name = "Dr Jane Citizen"
    member.profile.save()
    secret_before = Authenticator.objects.get(user=supporter, type="totp").data["secret"]
    assert crypto.key_id(secret_before) == old_kid

    new_spec = crypto.generate_key("fresh") + "," + old_spec
    with override_settings(ALONGSIDE_ENCRYPTION_KEYS=new_spec):
        call_command("rotate_keys")
        raw = _raw_real_name(member.profile.pk)
        assert crypto.key_id(raw) == "fresh"
        member.profile.refresh_from_db()
        assert member.profile.real_name == "Dr Jane Citizen"
        secret_after = Authenticator.objects.get(user=supporter, type="totp").data["secret"]
        assert crypto.key_id(secret_after) == "fresh"
        # The secret itself is unchanged, so the person's authenticator app keeps working.
        from alongside.lib.crypto import MFA_CONTEXT

        ring = crypto.keyring()
        assert ring.decrypt(secret_after, context=MFA_CONTEXT) == ring.decrypt(secret_before, context=MFA_CONTEXT)
        # A second run finds nothing left to do.
        call_command("rotate_keys", "--dry-run")
    assert capsys.readouterr().out.strip().endswith("0 value(s) need rotation in all.")
