"""The inbound phone line, as Twilio drives it: signed webhooks, the TwiML for in and out of hours, waves of at most
ten screened numbers with the service's number as caller ID, backups, the call-back offer, and idempotent retries."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET

import pytest

from alongside.audit.models import AuditEvent, Outcome
from alongside.notifications.models import Kind, Notification
from alongside.phoneline.models import Callback, CallbackSource, CallOutcome, CallState, OwnNumber, PhoneCall
from alongside.phoneline.tests.conftest import BASE, SERVICE_NUMBER, TOKEN, Twilio
from alongside.roster.models import ContactFormat, ContactRecord, Role
from alongside.roster.services import open_contact
from tests import factories

pytestmark = pytest.mark.usefixtures("line_on", "crisis_lines")

VOICE = "/phone/hooks/voice/"
STATUS = "/phone/hooks/status/"


def twiml(response) -> ET.Element:
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("application/xml")
    return ET.fromstring(response.content)


def mobile(n: int) -> str:
    return f"+614{n:08d}"


def supporters_on_shift(count: int, *, role: str = Role.PRIMARY, start: int = 0) -> list:
    people = [factories.supporter() for _ in range(count)]
    for i, person in enumerate(people):
        OwnNumber.objects.create(user=person, number=mobile(start + i))
    if role == Role.PRIMARY:
        factories.shift(primary=people)
    else:
        factories.shift(backup=people)
    return people


def dialled(root: ET.Element) -> list[ET.Element]:
    dial = root.find("Dial")
    assert dial is not None, ET.tostring(root)
    return dial.findall("Number")


# --- signatures -------------------------------------------------------------------------------------------------


def test_an_unsigned_webhook_is_refused_and_audited(twilio: Twilio, open_all_day):
    response = twilio.post(VOICE, {"CallSid": "CA1", "From": "+61412345678"}, signature="")
    assert response.status_code == 403
    event = AuditEvent.objects.get(action="phoneline.webhook.refused")
    assert event.outcome == Outcome.DENIED and event.details["signed"] is False
    assert "+61412345678" not in str(event.details)
    assert not PhoneCall.objects.exists()


def test_a_webhook_signed_with_another_token_is_refused(client, open_all_day):
    forged = Twilio(client, token="not-" + TOKEN)
    assert forged.post(VOICE, {"CallSid": "CA1"}).status_code == 403
    assert AuditEvent.objects.filter(action="phoneline.webhook.refused", details__signed=True).count() == 1
    assert not PhoneCall.objects.exists()


def test_a_signature_for_other_parameters_is_refused(twilio: Twilio, open_all_day):
    signature = twilio.sign(VOICE, {"CallSid": "CA1"})
    assert twilio.post(VOICE, {"CallSid": "CA2"}, signature=signature).status_code == 403
    assert twilio.post(VOICE, {"CallSid": "CA1"}, signature=signature).status_code == 200


def test_a_signature_for_another_address_is_refused(twilio: Twilio, open_all_day):
    signature = twilio.sign(STATUS, {"CallSid": "CA1"})
    assert twilio.post(VOICE, {"CallSid": "CA1"}, signature=signature).status_code == 403


def test_webhooks_take_only_post(client):
    assert client.get(VOICE).status_code == 405


def test_with_the_line_off_every_webhook_is_refused(twilio: Twilio, settings, open_all_day):
    settings.TWILIO_AUTH_TOKEN = ""
    assert twilio.post(VOICE, {"CallSid": "CA1"}).status_code == 403
    assert AuditEvent.objects.get(action="phoneline.webhook.refused").details["line_on"] is False


# --- after hours ------------------------------------------------------------------------------------------------


def test_after_hours_the_caller_hears_the_crisis_lines_and_nobody_is_rung(twilio: Twilio, db):
    supporters_on_shift(2)  # on shift, but the service is closed (no opening hours)
    root = twiml(twilio.post(VOICE, {"CallSid": "CA-late", "From": "+61412345678"}))
    said = " ".join(el.text or "" for el in root.iter("Say"))
    assert "Lifeline is on 13 11 14" in said and "Emergency is on 000" in said
    assert root.find("Dial") is None and root.find("Hangup") is not None
    call = PhoneCall.objects.get(call_sid="CA-late")
    assert call.outcome == CallOutcome.AFTER_HOURS
    twilio.post(STATUS, {"CallSid": "CA-late", "CallStatus": "completed", "CallDuration": "40"})
    call.refresh_from_db()
    assert call.state == CallState.ENDED and call.outcome == CallOutcome.AFTER_HOURS and call.duration_seconds == 40


# --- in hours: waves, screening, backups, the call-back offer ---------------------------------------------------


def test_in_hours_it_greets_then_rings_at_most_ten_primaries_at_once_with_screening(twilio: Twilio, open_all_day):
    primaries = supporters_on_shift(12)
    busy = supporters_on_shift(1, start=50)[0]
    open_contact(supporter_id=busy.pk, format=ContactFormat.TALKNOW_CHAT)
    no_mobile = factories.supporter()
    factories.shift(primary=[no_mobile])
    off_shift = factories.supporter()
    OwnNumber.objects.create(user=off_shift, number=mobile(99))

    root = twiml(twilio.post(VOICE, {"CallSid": "CA-day", "From": "+61412345678"}))
    call = PhoneCall.objects.get(call_sid="CA-day")
    assert root[0].tag == "Say" and "peer support" in (root[0].text or "")
    dial = root.find("Dial")
    assert dial.get("callerId") == SERVICE_NUMBER
    assert dial.get("record") == "do-not-record"
    assert dial.get("action") == f"{BASE}/phone/hooks/calls/{call.pk}/wave/0/"
    numbers = dialled(root)
    assert len(numbers) == 10
    rung = {n.text for n in numbers}
    assert rung == {mobile(i) for i in range(10)}
    by_number = {mobile(i): p for i, p in enumerate(primaries)}
    for n in numbers:
        assert n.get("url") == f"{BASE}/phone/hooks/calls/{call.pk}/screen/{by_number[n.text].pk}/"
    assert mobile(50) not in rung and mobile(99) not in rung
    assert "+61412345678" not in str(PhoneCall.objects.filter(pk=call.pk).values().get())

    # Nobody pressed 1: the other two primaries, then the backups, then the call-back offer.
    supporters_on_shift(3, role=Role.BACKUP, start=20)
    second = twiml(twilio.post(f"/phone/hooks/calls/{call.pk}/wave/0/", {"DialCallStatus": "no-answer"}))
    assert {n.text for n in dialled(second)} == {mobile(10), mobile(11)}
    assert second.find("Dial").get("callerId") == SERVICE_NUMBER
    third = twiml(twilio.post(f"/phone/hooks/calls/{call.pk}/wave/1/", {"DialCallStatus": "no-answer"}))
    assert {n.text for n in dialled(third)} == {mobile(20), mobile(21), mobile(22)}
    last = twiml(twilio.post(f"/phone/hooks/calls/{call.pk}/wave/2/", {"DialCallStatus": "no-answer"}))
    assert last.find("Dial") is None
    said = " ".join(el.text or "" for el in last.iter("Say"))
    assert "Lifeline is on 13 11 14" in said
    gather = last.find("Gather")
    assert gather.get("numDigits") == "1"
    assert gather.get("action") == f"{BASE}/phone/hooks/calls/{call.pk}/call-back/"
    assert "call you back" in (gather.find("Say").text or "")
    call.refresh_from_db()
    assert call.outcome == CallOutcome.NO_SUPPORTER


def test_with_nobody_free_in_hours_it_offers_the_call_back_at_once(twilio: Twilio, open_all_day):
    root = twiml(twilio.post(VOICE, {"CallSid": "CA-empty"}))
    assert root.find("Dial") is None and root.find("Gather") is not None
    twilio.post(STATUS, {"CallSid": "CA-empty", "CallStatus": "completed", "CallDuration": "30"})
    assert PhoneCall.objects.get(call_sid="CA-empty").outcome == CallOutcome.NO_SUPPORTER


def test_a_retried_webhook_answers_the_same_and_changes_nothing(twilio: Twilio, open_all_day):
    supporters_on_shift(3)
    first = twilio.post(VOICE, {"CallSid": "CA-retry"}).content
    supporters_on_shift(2, start=10)  # more come on shift: the retry still rings the same wave
    assert twilio.post(VOICE, {"CallSid": "CA-retry"}).content == first
    assert PhoneCall.objects.filter(call_sid="CA-retry").count() == 1
    call = PhoneCall.objects.get(call_sid="CA-retry")
    wave = f"/phone/hooks/calls/{call.pk}/wave/0/"
    again = twilio.post(wave, {"DialCallStatus": "no-answer"}).content
    assert twilio.post(wave, {"DialCallStatus": "no-answer"}).content == again
    assert len(PhoneCall.objects.get(pk=call.pk).waves) == 2


def test_screening_asks_the_supporter_to_press_1(twilio: Twilio, open_all_day):
    alice = supporters_on_shift(1)[0]
    twilio.post(VOICE, {"CallSid": "CA-s"})
    call = PhoneCall.objects.get(call_sid="CA-s")
    root = twiml(twilio.post(f"/phone/hooks/calls/{call.pk}/screen/{alice.pk}/", {"CallSid": "CA-leg"}))
    gather = root.find("Gather")
    assert gather.get("numDigits") == "1"
    assert gather.find("Say").text == "A caller for the peer support line: press 1 to take the call."
    assert gather.get("action") == f"{BASE}/phone/hooks/calls/{call.pk}/screen/{alice.pk}/answer/"
    assert root[-1].tag == "Hangup"  # nothing pressed (a voicemail box): that leg hangs up


@pytest.mark.parametrize("digits", ["", "2", "9", "#"])
def test_anything_but_1_hangs_up_that_leg(twilio: Twilio, open_all_day, digits: str):
    alice = supporters_on_shift(1)[0]
    twilio.post(VOICE, {"CallSid": "CA-x"})
    call = PhoneCall.objects.get(call_sid="CA-x")
    root = twiml(twilio.post(f"/phone/hooks/calls/{call.pk}/screen/{alice.pk}/answer/", {"Digits": digits}))
    assert [el.tag for el in root] == ["Hangup"]
    call.refresh_from_db()
    assert call.state == CallState.RINGING and call.supporter is None
    assert not ContactRecord.objects.exists()


def test_pressing_1_connects_the_first_supporter_only_and_opens_a_phone_contact(twilio: Twilio, open_all_day):
    alice, bob = supporters_on_shift(2)
    twilio.post(VOICE, {"CallSid": "CA-1"})
    call = PhoneCall.objects.get(call_sid="CA-1")
    answer = f"/phone/hooks/calls/{call.pk}/screen/{alice.pk}/answer/"
    root = twiml(twilio.post(answer, {"Digits": "1"}))
    assert [el.tag for el in root] == ["Say"]  # the TwiML ends: Twilio bridges this leg to the caller
    call.refresh_from_db()
    assert call.state == CallState.CONNECTED and call.supporter == alice
    contact = ContactRecord.objects.get()
    assert contact.supporter == alice and contact.format == ContactFormat.PHONE and contact.is_open
    # The same press retried: still connected, still one contact.
    assert [el.tag for el in twiml(twilio.post(answer, {"Digits": "1"}))] == ["Say"]
    assert ContactRecord.objects.count() == 1
    # Bob pressed 1 a moment later: told, and hung up.
    late = twiml(twilio.post(f"/phone/hooks/calls/{call.pk}/screen/{bob.pk}/answer/", {"Digits": "1"}))
    assert "Another supporter" in str(late.find("Say").text) and late[-1].tag == "Hangup"
    # A screen request for a call already answered hangs up too.
    assert twiml(twilio.post(f"/phone/hooks/calls/{call.pk}/screen/{bob.pk}/", {}))[-1].tag == "Hangup"

    # The conversation ends: the dial's action and the status callback (each retried) record it once.
    assert twiml(twilio.post(f"/phone/hooks/calls/{call.pk}/wave/0/", {"DialCallStatus": "completed"}))[-1].tag == (
        "Hangup"
    )
    for _ in range(2):
        twilio.post(STATUS, {"CallSid": "CA-1", "CallStatus": "completed", "CallDuration": "612"})
    call.refresh_from_db()
    assert call.state == CallState.ENDED and call.outcome == CallOutcome.TALKED
    contact.refresh_from_db()
    assert not contact.is_open


def test_a_supporter_not_rung_for_this_call_cannot_take_it(twilio: Twilio, open_all_day):
    supporters_on_shift(1)
    stranger = factories.supporter()
    twilio.post(VOICE, {"CallSid": "CA-2"})
    call = PhoneCall.objects.get(call_sid="CA-2")
    root = twiml(twilio.post(f"/phone/hooks/calls/{call.pk}/screen/{stranger.pk}/answer/", {"Digits": "1"}))
    assert [el.tag for el in root] == ["Hangup"]
    assert PhoneCall.objects.get(pk=call.pk).state == CallState.RINGING


def test_the_caller_hanging_up_before_anyone_answers_is_recorded(twilio: Twilio, open_all_day):
    supporters_on_shift(1)
    twilio.post(VOICE, {"CallSid": "CA-3"})
    twilio.post(STATUS, {"CallSid": "CA-3", "CallStatus": "completed", "CallDuration": "9"})
    call = PhoneCall.objects.get(call_sid="CA-3")
    assert call.outcome == CallOutcome.CALLER_LEFT and call.duration_seconds == 9


def test_pressing_1_after_nobody_answered_leaves_a_call_back_to_the_calling_number(
    twilio: Twilio, open_all_day, django_capture_on_commit_callbacks
):
    on_shift = supporters_on_shift(2)
    twilio.post(VOICE, {"CallSid": "CA-cb", "From": "+61412345678"})
    call = PhoneCall.objects.get(call_sid="CA-cb")
    twilio.post(f"/phone/hooks/calls/{call.pk}/wave/0/", {"DialCallStatus": "no-answer"})
    keypad = f"/phone/hooks/calls/{call.pk}/call-back/"
    for _ in range(2):  # retried: one call-back
        with django_capture_on_commit_callbacks(execute=True):
            root = twiml(twilio.post(keypad, {"Digits": "1", "From": "+61412345678"}))
        assert "call you back" in str(root.find("Say").text)
    callback = Callback.objects.get()
    assert callback.source == CallbackSource.PHONE and callback.phone == "+61412345678"
    assert callback.window_ends_at - callback.window_starts_at >= dt.timedelta(minutes=30)
    call.refresh_from_db()
    assert call.outcome == CallOutcome.CALLBACK_LEFT and call.left_callback == callback
    assert set(Notification.objects.filter(kind=Kind.CALLBACK_NEW).values_list("user_id", flat=True)) == {
        p.pk for p in on_shift
    }
    twilio.post(STATUS, {"CallSid": "CA-cb", "CallStatus": "completed", "CallDuration": "80"})
    assert PhoneCall.objects.get(pk=call.pk).outcome == CallOutcome.CALLBACK_LEFT


def test_a_withheld_number_cannot_leave_a_call_back(twilio: Twilio, open_all_day):
    twilio.post(VOICE, {"CallSid": "CA-anon", "From": "anonymous"})
    call = PhoneCall.objects.get(call_sid="CA-anon")
    root = twiml(twilio.post(f"/phone/hooks/calls/{call.pk}/call-back/", {"Digits": "1", "From": "anonymous"}))
    assert "can't call you back" in str(root.find("Say").text)
    assert not Callback.objects.exists()


def test_a_status_callback_for_an_unknown_call_is_ignored(twilio: Twilio):
    assert twilio.post(STATUS, {"CallSid": "CA-none", "CallStatus": "completed"}).status_code == 200
