"""Canaries: distinctive strings typed during a full journey through a real server must never come out where they
do not belong: the server's whole log, any email, any notification row or audit detail, a push payload, an error
page, or another person's export; nor sit in clear in the database file.

The journey is one list of steps (``STEPS``), each a function of the ``Journey`` that types its canaries through the
real pages, sockets and services and says who owns each one. One scanner (``leaks``) looks for every canary in every
output the journey collected. To cover a new feature, add a step that types its canaries and, when it makes a new
kind of output, put that output in ``Journey.outputs``.

The server is ``tests.live.LiveSite`` (uvicorn, Django, the task worker in one process, SQLite in a data directory of
its own). The push service is the tests' own (``notifications/tests/pushservice.py``): what reaches it is decrypted
with the device's keys and scanned like the rest.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
import re
import secrets
import struct
import time
import zoneinfo
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from django.urls import reverse
from websockets.sync.client import connect

from alongside.notifications.tests.pushservice import Browser, PushService
from tests.live import LiveSite

# --- the journey's record -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Canary:
    what: str  # "the member's password"
    value: str
    owners: frozenset[str]  # whose data it is: their own export may hold it
    in_database: bool = True  # must not sit in clear in the database file (False: never stored at all, e.g. a code)


@dataclass
class Journey:
    site: LiveSite
    push: PushService
    canaries: list[Canary] = field(default_factory=list)
    outputs: dict[str, str] = field(default_factory=dict)  # where -> text, scanned for every canary
    exports: dict[str, str] = field(default_factory=dict)  # whose -> their export, scanned for others' canaries
    people: dict[str, dict[str, Any]] = field(default_factory=dict)  # name -> {"email", "id", "cookie", ...}
    devices: dict[str, Browser] = field(default_factory=dict)  # endpoint name -> the device's keys
    state: dict[str, Any] = field(default_factory=dict)

    def canary(self, what: str, *owners: str, prefix: str = "cnry", in_database: bool = True) -> str:
        value = f"{prefix}{secrets.token_hex(6)}"
        self.canaries.append(Canary(what, value, frozenset(owners), in_database))
        return value

    def add(self, what: str, value: str, *owners: str, in_database: bool = True) -> str:
        self.canaries.append(Canary(what, value, frozenset(owners), in_database))
        return value

    def shell(self, code: str) -> dict[str, Any]:
        """Run ``code`` in the server's own database (``manage.py shell``); it prints ``OUT <json>`` last."""
        out = self.site.manage("shell", "-c", code)
        line = next(x for x in reversed(out.splitlines()) if x.startswith("OUT "))
        return dict(json.loads(line[4:]))

    def client(self, who: str | None = None) -> httpx.Client:
        cookies = {"sessionid": self.people[who]["cookie"]} if who else None
        return httpx.Client(base_url=self.site.base, timeout=30, cookies=cookies)


def _csrf(page: httpx.Response) -> str:
    found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
    assert found, f"no CSRF token on {page.url} ({page.status_code})"
    return found.group(1)


def _post_form(client: httpx.Client, path: str, data: dict[str, Any], *, page: str = "") -> httpx.Response:
    form = client.get(page or path)
    assert form.status_code == 200, f"{page or path}: {form.status_code}"
    return client.post(path, data={"csrfmiddlewaretoken": _csrf(form), **data})


def totp(secret: str, at: float | None = None) -> str:
    """RFC 6238: the six digits an authenticator app shows for ``secret`` (base32) now."""
    key = base64.b32decode(secret.upper() + "=" * (-len(secret) % 8))
    counter = struct.pack(">Q", int((at or time.time()) // 30))
    digest = hmac.new(key, counter, hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    return f"{(struct.unpack('>I', digest[offset : offset + 4])[0] & 0x7FFFFFFF) % 1_000_000:06d}"


# --- the steps ------------------------------------------------------------------------------------------------------

MAKE_PEOPLE = """
import json
from django.conf import settings
from django.test import Client
from alongside.directory.models import Language
from alongside.notifications.devices import endpoint_digest
from alongside.notifications.models import PushSubscription
from tests import factories
from alongside.connections.tests import factories as cf
out = {{}}
supporter = factories.supporter(display_name="Sasha")
supporter.set_password("{password}")
supporter.save()
cf.supporter_profile(supporter)
coordinator = factories.coordinator(display_name="Corin")
outsider = factories.member(display_name="Oona")
factories.on_call(primary=[coordinator], hours=6)
for name, user in (("supporter", supporter), ("coordinator", coordinator), ("outsider", outsider)):
    client = Client()
    client.force_login(user)
    out[name] = {{"id": user.pk, "email": user.email, "cookie": client.cookies[settings.SESSION_COOKIE_NAME].value}}
out["supporter"]["totp"] = supporter.totp_secret
out["coordinator"]["totp"] = coordinator.totp_secret
endpoint = "{endpoint}"
PushSubscription.objects.create(
    user=coordinator, endpoint=endpoint, endpoint_digest=endpoint_digest(endpoint), p256dh="{p256dh}",
    auth="{auth}", label="Stand-in",
)
out["language"] = Language.objects.values_list("pk", flat=True).first() or Language.objects.create(name="English").pk
print("OUT " + json.dumps(out))
"""


def make_the_cast(j: Journey) -> None:
    """The supporter (with a password typed at sign-in), a coordinator on call with a device, and an outsider."""
    password = j.canary("the supporter's password", "supporter", prefix="Pw-", in_database=True)
    j.devices["coordinator"] = device = Browser()
    made = j.shell(
        MAKE_PEOPLE.format(
            password=password, endpoint=j.push.endpoint("coordinator"), p256dh=device.p256dh, auth=device.auth
        )
    )
    j.state["language"] = made.pop("language")
    j.people.update(made)
    j.add("the supporter's MFA secret", made["supporter"]["totp"], "supporter")
    j.add("the coordinator's MFA secret", made["coordinator"]["totp"], "coordinator")


def member_signs_up(j: Journey) -> None:
    """Sign up with a password, confirm the email, set up the profile with a real name."""
    email = f"kim.{secrets.token_hex(4)}@example.org"
    password = j.canary("the member's password", "member", prefix="Pw-")
    real_name = j.canary("the member's real name", "member", prefix="Realname")
    client = j.client()
    signed_up = _post_form(client, "/accounts/signup/", {"email": email, "password1": password, "password2": password})
    assert signed_up.status_code == 302
    confirm = j.site.wait_for_mail(r"/accounts/confirm-email/([^/\s]+)/")
    assert _post_form(client, confirm.group(0), {}).status_code == 302
    setup = _post_form(
        client,
        reverse("accounts:setup"),
        {
            "display_name": f"Kim{secrets.token_hex(2)}",
            "real_name": real_name,
            "career_stage": "registrar",
            "languages": [str(j.state["language"])],
            "time_zone": "Australia/Melbourne",
        },
    )
    assert setup.status_code == 302, re.findall(r'class="[^"]*error[^"]*"[^>]*>\s*([^<]+)', setup.text)
    j.people["member"] = {"email": email, "cookie": client.cookies["sessionid"], "password": password}
    client.close()


def supporter_signs_in_with_a_code(j: Journey) -> None:
    """The password and a one-time code typed at sign-in; then the supporter's own phone number."""
    supporter = j.people["supporter"]
    client = j.client()
    password = next(c.value for c in j.canaries if c.what == "the supporter's password")
    signed = _post_form(client, "/accounts/login/", {"login": supporter["email"], "password": password})
    assert signed.status_code == 302, signed.text[:300]
    code = j.add("a one-time code", totp(supporter["totp"]), "supporter", in_database=False)
    passed = _post_form(client, reverse("mfa_authenticate"), {"code": code})
    assert passed.status_code == 302, passed.text[:300]
    supporter["cookie"] = client.cookies["sessionid"]
    number = j.add("the supporter's own number", "0491 570 157", "supporter")
    j.add("the supporter's own number, stored", "491570157", "supporter")
    saved = _post_form(client, reverse("phoneline:my_number"), {"number": number})
    assert saved.status_code == 302, saved.text[:300]
    client.close()


def member_asks_for_a_call_back(j: Journey) -> None:
    name = j.canary("the name on a call-back", "member", prefix="Callbackname")
    phone = j.add("the number on a call-back", "0491 570 158", "member")
    j.add("the number on a call-back, stored", "491570158", "member")
    with j.client("member") as client:
        page = client.get(reverse("phoneline:callback_new"))
        assert 'name="phone"' in page.text, "the call-back form is there (the phone line is on)"
        tomorrow = (dt.datetime.now(zoneinfo.ZoneInfo("Australia/Melbourne")) + dt.timedelta(days=1)).date()
        asked = client.post(
            reverse("phoneline:callback_new"),
            data={
                "csrfmiddlewaretoken": _csrf(page),
                "name": name,
                "phone": phone,
                "day": tomorrow.isoformat(),
                "starts": "10:00",
                "ends": "11:00",
            },
        )
        assert asked.status_code == 302, asked.text[:300]


CONNECT = """
import json
from alongside.accounts.models import User
from alongside.connections.tests import factories as cf
from alongside.conversations.services import get_or_create_thread_for_connection
member = User.objects.get(email="{member}")
supporter = User.objects.get(email="{supporter}")
thread = get_or_create_thread_for_connection(connection=cf.connection(member, supporter))
print("OUT " + json.dumps({{"thread": thread.pk, "member": member.pk}}))
"""


def _say(j: Journey, who: str, thread: int, text: str) -> None:
    url = j.site.base.replace("http", "ws") + f"/ws/threads/{thread}/"
    headers = {"Cookie": f"sessionid={j.people[who]['cookie']}", "Origin": j.site.base}
    with connect(url, additional_headers=headers, open_timeout=10) as socket:
        key = secrets.token_hex(8)
        socket.send(json.dumps({"type": "send", "key": key, "body": text}))
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            frame = json.loads(socket.recv(timeout=15))
            if frame.get("type") == "ack" and frame.get("key") == key:
                return
            assert frame.get("type") != "error", frame
        raise AssertionError(f"{who}'s message was not acknowledged")


def peers_chat_over_the_socket(j: Journey) -> None:
    made = j.shell(CONNECT.format(member=j.people["member"]["email"], supporter=j.people["supporter"]["email"]))
    j.people["member"]["id"] = made["member"]
    j.state["thread"] = made["thread"]
    _say(j, "member", made["thread"], j.canary("a member's chat message", "member", "supporter", prefix="Chat"))
    _say(j, "supporter", made["thread"], j.canary("a supporter's chat message", "member", "supporter", prefix="Chat"))


RAISE = """
import json
from alongside.accounts.models import User
from alongside.safety.services import raise_concern
concern = raise_concern(
    raised_by=User.objects.get(pk={supporter}), level="worried", source="thread", note="{note}",
    member=User.objects.get(pk={member}), thread_id={thread},
)
print("OUT " + json.dumps({{"concern": concern.pk}}))
"""

ALERTED = """
import json
from alongside.notifications.models import Notification
print("OUT " + json.dumps({"alerted": Notification.objects.filter(kind="concern_raised").count()}))
"""


def supporter_raises_a_concern(j: Journey) -> None:
    """Through ``safety.services.raise_concern`` (the one way in); its alert goes out from the server's worker."""
    note = j.canary("a concern note", "supporter", prefix="Concernnote")
    j.shell(
        RAISE.format(
            supporter=j.people["supporter"]["id"], member=j.people["member"]["id"], thread=j.state["thread"], note=note
        )
    )
    deadline = time.monotonic() + 30
    while not j.shell(ALERTED)["alerted"]:
        assert time.monotonic() < deadline, "the coordinator on call was not alerted"
        time.sleep(0.5)


def supporter_tests_alerts_on_a_device(j: Journey) -> None:
    """A device subscribed through the page's own JSON post, and a test alert pushed to it."""
    j.devices["supporter"] = device = Browser()
    with j.client("supporter") as client:
        page = client.get(reverse("notifications:devices"))
        token = _csrf(page)
        added = client.post(
            reverse("notifications:device_add"),
            json={"endpoint": j.push.endpoint("supporter"), "keys": {"p256dh": device.p256dh, "auth": device.auth}},
            headers={"X-CSRFToken": token, "Referer": j.site.base + reverse("notifications:devices")},
        )
        assert added.status_code == 201, added.text
        assert client.post(reverse("notifications:device_test"), data={"csrfmiddlewaretoken": token}).status_code == 302
    deadline = time.monotonic() + 20
    while not j.push.to("supporter"):
        assert time.monotonic() < deadline, "no push reached the supporter's device"
        time.sleep(0.2)


def canaries_reach_error_pages(j: Journey) -> None:
    """A missing page and a search with a canary in the query, a failed sign-in with a canary password."""
    query = j.canary("words in a query string", "member", in_database=False)
    typed = j.canary("a mistyped password", "member", prefix="Pw-", in_database=False)
    with j.client("member") as client:
        # In the query string: a path is logged as it is (a 404's path names no one: routes are public).
        missing = client.get("/no-such-page/", params={"q": query})
        assert missing.status_code == 404
        j.outputs["the 404 page"] = missing.text
        assert client.get(reverse("library:index"), params={"q": query}).status_code == 200
    with j.client() as client:
        refused = _post_form(client, "/accounts/login/", {"login": j.people["member"]["email"], "password": typed})
        assert refused.status_code == 200
        j.outputs["the refused sign-in page"] = refused.text


def everyone_downloads_their_data(j: Journey) -> None:
    for who in ("member", "supporter", "coordinator", "outsider"):
        with j.client(who) as client:
            export = client.get(reverse("privacy:export"))
            assert export.status_code == 200, f"{who}: {export.status_code}"
            j.exports[who] = export.text


DUMP_ROWS = """
import json
from alongside.audit.models import AuditEvent
from alongside.notifications.models import Notification
rows = [
    {k: str(v) for k, v in row.items()}
    for row in Notification.objects.values()
]
details = [
    {"action": e.action, "details": e.details, "target": e.target_id} for e in AuditEvent.objects.all()
]
print("OUT " + json.dumps({"notifications": rows, "audit": details}))
"""


def collect_what_came_out(j: Journey) -> None:
    dumped = j.shell(DUMP_ROWS)
    j.outputs["notification rows"] = json.dumps(dumped["notifications"])
    j.outputs["audit details"] = json.dumps(dumped["audit"])
    for name, device in j.devices.items():
        for n, received in enumerate(j.push.to(name)):
            j.outputs[f"push {n} to the {name}'s device"] = json.dumps(device.decrypt(received.body))


STEPS: list[Callable[[Journey], None]] = [
    make_the_cast,
    member_signs_up,
    supporter_signs_in_with_a_code,
    member_asks_for_a_call_back,
    peers_chat_over_the_socket,
    supporter_raises_a_concern,
    supporter_tests_alerts_on_a_device,
    canaries_reach_error_pages,
    everyone_downloads_their_data,
    collect_what_came_out,
]

# The phone line is on (a Twilio account of no one: nothing calls out in this journey) so the call-back form shows.
PHONE_LINE = {
    "TWILIO_ACCOUNT_SID": "AC" + "0" * 32,
    "TWILIO_AUTH_TOKEN": "canary-journey-token",
    "TWILIO_NUMBER": "+61390001234",
    "TWILIO_WEBHOOK_BASE_URL": "https://phone.example.invalid",
    "TWILIO_API_URL": "http://127.0.0.1:9",
}
OPEN_ALL_DAY = """
import datetime as dt, json
from alongside.service.models import OpeningHours
for day in range(7):
    OpeningHours.objects.update_or_create(
        weekday=day, defaults={"is_open": True, "opens": dt.time(0), "closes": dt.time(23, 59)}
    )
print("OUT " + json.dumps({}))
"""


@pytest.fixture(scope="module")
def journey(tmp_path_factory: pytest.TempPathFactory) -> Journey:
    push = PushService().start()
    site = LiveSite(tmp_path_factory.mktemp("canaries") / "data")
    site.setup()
    site.env.update(PHONE_LINE)
    made = Journey(site=site, push=push)
    made.shell(OPEN_ALL_DAY)
    site.start()
    try:
        for step in STEPS:
            step(made)
    finally:
        made.outputs["the server's log"] = site.stop()
        push.stop()
    for n, mail in enumerate(sorted(site.mail_dir.glob("*.log"))):
        made.outputs[f"email file {n}"] = mail.read_text(encoding="utf-8", errors="replace")
    return made


# --- the scanner ----------------------------------------------------------------------------------------------------


def _forms(canary: Canary) -> list[str]:
    """The ways a canary could be written: as typed, and a number's digits however they were grouped."""
    return [canary.value]


def found_in(text: str, value: str) -> bool:
    if value.isdigit():  # a code or a number: whole only, so a timestamp's digits are no false alarm
        return re.search(rf"(?<!\d){value}(?!\d)", text) is not None
    return value in text


def leaks(j: Journey) -> list[str]:
    """Every canary found where it does not belong, as 'what in where'."""
    found = []
    for where, text in j.outputs.items():
        found += [f"{c.what} in {where}" for c in j.canaries for v in _forms(c) if found_in(text, v)]
    for whose, text in j.exports.items():
        found += [
            f"{c.what} in the {whose}'s export"
            for c in j.canaries
            if whose not in c.owners
            for v in _forms(c)
            if found_in(text, v)
        ]
    return found


# --- the tests ------------------------------------------------------------------------------------------------------


def test_the_journey_typed_every_kind_of_canary(journey: Journey) -> None:
    kinds = {c.what for c in journey.canaries}
    for expected in (
        "the member's password",
        "a one-time code",
        "the member's real name",
        "the supporter's own number",
        "the number on a call-back",
        "a member's chat message",
        "a concern note",
        "the supporter's MFA secret",
    ):
        assert expected in kinds
    assert any(where.startswith("push") for where in journey.outputs), "a push was captured"
    assert any(where.startswith("email") for where in journey.outputs), "emails were captured"
    assert set(journey.exports) == {"member", "supporter", "coordinator", "outsider"}


def test_no_canary_reaches_a_log_an_email_a_notification_a_push_an_error_page_or_anothers_export(
    journey: Journey,
) -> None:
    assert leaks(journey) == []


def test_the_scanner_finds_a_planted_canary(journey: Journey) -> None:
    planted = Journey(site=journey.site, push=journey.push, canaries=list(journey.canaries))
    canary = journey.canaries[0]
    code = next(c for c in journey.canaries if c.what == "a one-time code")
    planted.outputs = {"a log": f"x {canary.value} y", "a timestamp": f"20:12:{code.value}1"}
    planted.exports = {"outsider": f'{{"note": "{canary.value}"}}'}
    assert leaks(planted) == [
        f"{canary.what} in a log",
        f"{canary.what} in the outsider's export",
    ]


def _database_bytes(data_dir: Path) -> dict[str, bytes]:
    """Every SQLite file of the server (the database, its write-ahead log, the task queue)."""
    return {p.name: p.read_bytes() for p in sorted(data_dir.glob("*.sqlite3*"))}


def test_the_database_files_hold_no_canary_in_clear(journey: Journey) -> None:
    files = _database_bytes(journey.site.data_dir)
    assert any(name == "alongside.sqlite3" for name in files)
    kept = [c for c in journey.canaries if c.in_database]
    found = [
        f"{c.what} in {name}" for name, raw in files.items() for c in kept if found_in(raw.decode("latin-1"), c.value)
    ]
    assert found == []
