"""Numbers stay private: not in the database in clear (every table dumped and searched), never on any page a member
can reach, never in a phone call's record."""

from __future__ import annotations

import datetime as dt
import re
from html.parser import HTMLParser

from django.db import connection
from django.test import Client

from alongside.connections.tests import factories as connection_factories
from alongside.lib.time import now
from alongside.meetings.models import Session, SessionStatus
from alongside.phoneline.models import Callback, OwnNumber, PhoneCall
from alongside.phoneline.services import request_callback, set_own_number, take_callback
from alongside.phoneline.tests.conftest import Twilio
from tests import factories

SUPPORTER_MOBILE = ("+61400111222", "0400111222", "0400 111 222", "400111222")
MEMBER_PHONE = ("+61398765432", "0398765432", "9876 5432", "398765432")
CALLER = ("+61412345678", "0412345678", "0412 345 678", "412345678")
PHONE_CALLER = ("+61455566677", "0455566677", "455566677")


def _dump() -> str:
    """Every row of every table as text, as a database dump would hold it (raw column values: no decryption)."""
    parts: list[str] = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            parts.extend(repr(row) for row in cursor.fetchall())
    if connection.vendor == "sqlite":
        parts.extend(connection.connection.iterdump())
    return "\n".join(parts)


def test_no_phone_number_is_in_the_database_in_clear(member, supporter, line_on, open_all_day, client):
    set_own_number(user=supporter, number=SUPPORTER_MOBILE[2])
    set_own_number(user=member, number=MEMBER_PHONE[1])
    factories.shift(primary=[supporter])
    callback, _ = request_callback(
        name="Zephyrine", phone=CALLER[2], window_starts_at=now(), window_ends_at=now() + dt.timedelta(hours=1)
    )
    take_callback(callback_id=callback.pk, supporter=supporter)
    # A caller rings, nobody is free, and they leave a call-back by keypad.
    twilio = Twilio(client)
    OwnNumber.objects.filter(user=supporter).delete()
    twilio.post("/phone/hooks/voice/", {"CallSid": "CA-dump", "From": PHONE_CALLER[0]})
    call = PhoneCall.objects.get(call_sid="CA-dump")
    twilio.post(f"/phone/hooks/calls/{call.pk}/call-back/", {"Digits": "1", "From": PHONE_CALLER[0]})
    set_own_number(user=supporter, number=SUPPORTER_MOBILE[0])
    assert Callback.objects.filter(phone=PHONE_CALLER[0]).exists() is False  # encrypted: no match in SQL
    assert {c.phone for c in Callback.objects.all()} == {CALLER[0], PHONE_CALLER[0]}  # yet readable in Python

    dump = _dump()
    assert "Zephyrine" not in dump
    for number in (*SUPPORTER_MOBILE, *MEMBER_PHONE, *CALLER, *PHONE_CALLER):
        assert number not in dump, f"{number} is in the database in clear"


def test_a_phone_call_never_holds_the_callers_number(line_on, open_all_day, client):
    supporter = factories.supporter()
    set_own_number(user=supporter, number=SUPPORTER_MOBILE[0])
    factories.shift(primary=[supporter])
    twilio = Twilio(client)
    twilio.post("/phone/hooks/voice/", {"CallSid": "CA-p", "From": CALLER[0], "Caller": CALLER[0]})
    call = PhoneCall.objects.get()
    twilio.post(f"/phone/hooks/calls/{call.pk}/screen/{supporter.pk}/answer/", {"Digits": "1", "From": CALLER[0]})
    twilio.post("/phone/hooks/status/", {"CallSid": "CA-p", "CallStatus": "completed", "CallDuration": "60"})
    row = str(list(PhoneCall.objects.values()))
    for number in CALLER:
        assert number not in row


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        href = dict(attrs).get("href")
        if tag == "a" and href:
            self.links.append(href)


def test_a_member_never_sees_a_supporters_number_on_any_page_they_can_reach(member, supporter, line_on, open_all_day):
    set_own_number(user=supporter, number=SUPPORTER_MOBILE[0])
    set_own_number(user=member, number=MEMBER_PHONE[0])
    factories.shift(primary=[supporter])
    connection_obj = connection_factories.connection(member, supporter)
    session = Session.objects.create(
        connection=connection_obj,
        proposed_by=member,
        starts_at=now() + dt.timedelta(minutes=2),
        medium="phone",
        proposed_in="Australia/Melbourne",
        status=SessionStatus.AGREED,
        agreed_at=now(),
    )
    _callback, token = request_callback(
        name="Alice",
        phone=CALLER[0],
        window_starts_at=now(),
        window_ends_at=now() + dt.timedelta(hours=1),
        requester=member,
    )
    take_callback(callback_id=_callback.pk, supporter=supporter)

    client = Client()
    client.force_login(member)
    start = ["/", f"/call-back/{token}/", "/call-back/"]
    seen: dict[str, str] = {}
    queue = list(start)
    while queue and len(seen) < 300:
        url = queue.pop(0).split("#")[0]
        if url in seen or not url.startswith("/") or url.startswith(("/accounts/logout", "/static/", "//")):
            continue
        response = client.get(url)
        body = response.content.decode(errors="replace") if response.status_code == 200 else ""
        seen[url] = body
        if response.status_code == 200 and response.get("Content-Type", "").startswith("text/html"):
            parser = _Links()
            parser.feed(body)
            queue.extend(parser.links)
    assert f"/phone/sessions/{session.pk}/" in seen, sorted(seen)  # reached from the session and from home
    assert "/phone/number/" in seen
    assert len(seen) > 20, sorted(seen)
    for url, body in seen.items():
        digits = re.sub(r"[^\d+]", "", body)
        for number in SUPPORTER_MOBILE[:2]:
            assert number not in body and number not in digits, f"{url} shows the supporter's number"
        assert SUPPORTER_MOBILE[2] not in body, url
