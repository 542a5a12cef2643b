"""Text messages through the provider interface: Twilio's Messages API, here its local stand-in, through the real
twilio Client."""

from __future__ import annotations

from typing import Any

import pytest

from alongside.phoneline import line
from alongside.phoneline.provider import ProviderError
from alongside.phoneline.tests.conftest import SERVICE_NUMBER, SID, TOKEN


def test_send_sms_posts_one_message_to_the_messages_api(standin: Any) -> None:
    provider = line.current()
    assert provider is not None
    sid = provider.send_sms(to="+61412345678", from_=SERVICE_NUMBER, body="A concern needs a coordinator now")
    [sent] = standin.received
    assert sent.path == f"/2010-04-01/Accounts/{SID}/Messages.json"
    assert sent.auth == (SID, TOKEN)
    assert sent.one("To") == "+61412345678" and sent.one("From") == SERVICE_NUMBER
    assert sent.one("Body") == "A concern needs a coordinator now"
    assert sid.startswith("CA")  # the stand-in's id, passed back


def test_a_refused_message_raises_a_provider_error_without_the_number(standin: Any) -> None:
    standin.fail_with = 400
    provider = line.current()
    assert provider is not None
    with pytest.raises(ProviderError) as refused:
        provider.send_sms(to="+61412345678", from_=SERVICE_NUMBER, body="x")
    assert "412345678" not in str(refused.value) and "400" in str(refused.value)
