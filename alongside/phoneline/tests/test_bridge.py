"""Calls through the service: a call-back and a phone session ring the supporter first from the service's number
(a REST call, sent here to a local stand-in for Twilio through the real twilio Client), and only when they press 1
is the other person dialled, with the service's number as caller ID. Neither learns the other's number."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET

import pytest
from django.test import Client

from alongside.connections.tests import factories as connection_factories
from alongside.lib.time import now
from alongside.meetings.models import Session, SessionStatus
from alongside.phoneline.models import (
    Callback,
    CallbackOutcome,
    CallbackStatus,
    CallKind,
    CallOutcome,
    CallState,
    OwnNumber,
    PhoneCall,
)
from alongside.phoneline.services import cancel_callback, request_callback, take_callback
from alongside.phoneline.tests.conftest import BASE, SERVICE_NUMBER, SID, TOKEN, Twilio
from alongside.roster.models import ContactFormat, ContactRecord
from tests import factories

SUPPORTER_MOBILE = "+61400000001"
CALLER = "+61412345678"
MEMBER_PHONE = "+61398765432"


@pytest.fixture
def taken_callback(supporter, open_all_day) -> Callback:
    factories.shift(primary=[supporter])
    OwnNumber.objects.create(user=supporter, number=SUPPORTER_MOBILE)
    callback, _ = request_callback(
        name="Sam",
        phone="0412 345 678",
        window_starts_at=now() - dt.timedelta(minutes=5),
        window_ends_at=now() + dt.timedelta(hours=1),
    )
    return take_callback(callback_id=callback.pk, supporter=supporter)


def test_call_now_rings_the_supporter_from_the_service_number_then_dials_the_caller(
    standin, taken_callback: Callback, supporter, supporter_client: Client, twilio: Twilio
):
    response = supporter_client.post(f"/phone/call-backs/{taken_callback.pk}/call/")
    assert response.status_code == 302
    [sent] = standin.received
    assert sent.path == f"/2010-04-01/Accounts/{SID}/Calls.json"
    assert sent.auth == (SID, TOKEN)
    assert sent.one("To") == SUPPORTER_MOBILE
    assert sent.one("From") == SERVICE_NUMBER
    assert sent.one("Record") == "false"
    assert sent.one("StatusCallback") == f"{BASE}/phone/hooks/status/"
    call = PhoneCall.objects.get()
    assert call.kind == CallKind.CALLBACK and call.call_sid == "CA" + "1".rjust(32, "0")
    twiml = ET.fromstring(sent.one("Twiml"))
    gather = twiml.find("Gather")
    assert gather.get("numDigits") == "1"
    assert gather.get("action") == f"{BASE}/phone/hooks/calls/{call.pk}/bridge/"
    assert CALLER not in sent.one("Twiml")  # the caller's number reaches Twilio only once the supporter pressed 1
    contact = ContactRecord.objects.get()
    assert contact.format == ContactFormat.CALLBACK and contact.supporter == supporter and contact.is_open

    # Voicemail or a stray key: nobody is dialled.
    assert [
        el.tag for el in ET.fromstring(twilio.post(f"/phone/hooks/calls/{call.pk}/bridge/", {"Digits": ""}).content)
    ] == ["Hangup"]
    root = ET.fromstring(twilio.post(f"/phone/hooks/calls/{call.pk}/bridge/", {"Digits": "1"}).content)
    dial = root.find("Dial")
    assert dial.get("callerId") == SERVICE_NUMBER and dial.get("record") == "do-not-record"
    assert [n.text for n in dial.findall("Number")] == [CALLER]
    assert dial.get("action") == f"{BASE}/phone/hooks/calls/{call.pk}/bridge/done/"

    twilio.post(
        f"/phone/hooks/calls/{call.pk}/bridge/done/", {"DialCallStatus": "completed", "DialCallDuration": "300"}
    )
    twilio.post(
        "/phone/hooks/status/", {"CallSid": str(call.call_sid), "CallStatus": "completed", "CallDuration": "330"}
    )
    call.refresh_from_db()
    assert call.state == CallState.ENDED and call.outcome == CallOutcome.TALKED and call.duration_seconds == 330

    response = supporter_client.post(f"/phone/call-backs/{taken_callback.pk}/outcome/", {"outcome": "reached"})
    assert response.status_code == 302 and response["Location"] == f"/shifts/contacts/{contact.pk}/"
    taken_callback.refresh_from_db()
    assert taken_callback.status == CallbackStatus.DONE and taken_callback.outcome == CallbackOutcome.REACHED
    assert taken_callback.phone == ""
    contact.refresh_from_db()
    assert not contact.is_open


def test_a_refused_call_is_reported_and_recorded_as_failed(standin, taken_callback: Callback, supporter_client):
    standin.fail_with = 400
    response = supporter_client.post(f"/phone/call-backs/{taken_callback.pk}/call/", follow=True)
    assert "could not be placed" in response.content.decode()
    call = PhoneCall.objects.get()
    assert call.state == CallState.ENDED and call.outcome == CallOutcome.FAILED
    assert CALLER not in str(list(PhoneCall.objects.values()))


def test_a_twilio_that_cannot_be_reached_is_reported(line_on, taken_callback: Callback, supporter_client, settings):
    settings.TWILIO_API_URL = "http://127.0.0.1:9"  # nothing listens on the discard port
    response = supporter_client.post(f"/phone/call-backs/{taken_callback.pk}/call/", follow=True)
    assert "could not be placed" in response.content.decode()


def test_call_now_is_refused_outside_the_callers_window(standin, taken_callback: Callback, supporter_client):
    Callback.objects.filter(pk=taken_callback.pk).update(
        window_starts_at=now() + dt.timedelta(hours=1), window_ends_at=now() + dt.timedelta(hours=2)
    )
    response = supporter_client.post(f"/phone/call-backs/{taken_callback.pk}/call/", follow=True)
    assert "during the window" in response.content.decode()
    assert not standin.received and not PhoneCall.objects.exists()


def test_a_cancelled_call_back_is_not_dialled_even_when_the_supporter_presses_1(
    standin, taken_callback: Callback, supporter_client, twilio: Twilio
):
    supporter_client.post(f"/phone/call-backs/{taken_callback.pk}/call/")
    call = PhoneCall.objects.get()
    taken_callback.status = CallbackStatus.TAKEN
    cancel_callback(callback=taken_callback)
    root = ET.fromstring(twilio.post(f"/phone/hooks/calls/{call.pk}/bridge/", {"Digits": "1"}).content)
    assert root.find("Dial") is None and root[-1].tag == "Hangup"


# --- phone sessions ---------------------------------------------------------------------------------------------


@pytest.fixture
def phone_session(member, supporter) -> Session:
    connection = connection_factories.connection(member, supporter)
    return Session.objects.create(
        connection=connection,
        proposed_by=member,
        starts_at=now() + dt.timedelta(minutes=2),
        minutes=60,
        medium="phone",
        proposed_in="Australia/Melbourne",
        status=SessionStatus.AGREED,
        agreed_at=now(),
    )


def test_a_phone_session_bridges_the_supporter_and_the_member_through_the_service(
    standin, phone_session: Session, member, supporter, supporter_client: Client, twilio: Twilio
):
    OwnNumber.objects.create(user=supporter, number=SUPPORTER_MOBILE)
    OwnNumber.objects.create(user=member, number=MEMBER_PHONE)
    page = supporter_client.get(f"/phone/sessions/{phone_session.pk}/").content.decode()
    assert "Call now through the service" in page and MEMBER_PHONE not in page
    supporter_client.post(f"/phone/sessions/{phone_session.pk}/call/")
    [sent] = standin.received
    assert sent.one("To") == SUPPORTER_MOBILE and sent.one("From") == SERVICE_NUMBER
    assert MEMBER_PHONE not in sent.one("Twiml")
    call = PhoneCall.objects.get()
    assert call.kind == CallKind.SESSION and call.session == phone_session
    root = ET.fromstring(twilio.post(f"/phone/hooks/calls/{call.pk}/bridge/", {"Digits": "1"}).content)
    dial = root.find("Dial")
    assert dial.get("callerId") == SERVICE_NUMBER
    assert [n.text for n in dial.findall("Number")] == [MEMBER_PHONE]
    contact = ContactRecord.objects.get()
    assert contact.format == ContactFormat.SESSION_PHONE and contact.supporter == supporter and contact.is_open
    twilio.post(
        "/phone/hooks/status/", {"CallSid": str(call.call_sid), "CallStatus": "completed", "CallDuration": "2700"}
    )
    contact.refresh_from_db()
    assert not contact.is_open


def test_only_the_sessions_supporter_can_place_the_call(standin, phone_session: Session, member_client: Client):
    assert member_client.post(f"/phone/sessions/{phone_session.pk}/call/").status_code == 404
    assert not standin.received


def test_a_phone_session_waits_for_the_members_number(standin, phone_session, supporter, supporter_client):
    OwnNumber.objects.create(user=supporter, number=SUPPORTER_MOBILE)
    page = supporter_client.get(f"/phone/sessions/{phone_session.pk}/").content.decode()
    assert "has not given a number" in page and "Call now through the service" not in page
    response = supporter_client.post(f"/phone/sessions/{phone_session.pk}/call/", follow=True)
    assert "has not given a number" in response.content.decode()
    assert not standin.received


def test_the_call_is_offered_only_at_the_agreed_time(standin, phone_session, member, supporter, supporter_client):
    OwnNumber.objects.create(user=supporter, number=SUPPORTER_MOBILE)
    OwnNumber.objects.create(user=member, number=MEMBER_PHONE)
    Session.objects.filter(pk=phone_session.pk).update(starts_at=now() + dt.timedelta(days=1))
    page = supporter_client.get(f"/phone/sessions/{phone_session.pk}/").content.decode()
    assert f'action="/phone/sessions/{phone_session.pk}/call/"' not in page
    assert "appears here from a few minutes before" in page
    supporter_client.post(f"/phone/sessions/{phone_session.pk}/call/")
    assert not standin.received
