"""No credential from a URL reaches a log: the route is logged, not the token.

The journey runs against a real server (uvicorn, Django, the task worker) with its whole output
captured: sign up and confirm the email, request a password reset and follow its link, make a
calendar feed and fetch it, try wrong keys and tokens (Django logs a 404's path), and search the
library. The log must hold the routes and none of the secrets.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from alongside.lib.redact import SECRET_PREFIXES, redact
from tests.live import LiveSite, new_secret

PASSWORD = "a long enough passphrase 42"

CREDENTIAL_ARGUMENTS = {"key", "token", "uidb36", "uidb64", "secret", "code", "signature"}
NOT_CREDENTIALS = {
    # The key of a coordinator's batch preview in the cache: it opens nothing without the coordinator role.
    "console:batch_detail",
    "console:batch_apply",
}


def _csrf(page: httpx.Response) -> str:
    found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
    assert found, f"no CSRF token on {page.url}"
    return found.group(1)


def _post_form(client: httpx.Client, path: str, data: dict[str, str]) -> httpx.Response:
    page = client.get(path)
    assert page.status_code == 200, f"{path}: {page.status_code}"
    return client.post(path, data={"csrfmiddlewaretoken": _csrf(page), **data})


@pytest.fixture
def site(tmp_path: Path) -> Iterator[LiveSite]:
    live = LiveSite(tmp_path / "data").setup().start()
    try:
        yield live
    finally:
        live.stop()


def test_a_journey_through_the_real_server_logs_routes_and_no_secrets(site: LiveSite) -> None:
    secrets: list[str] = []
    email = f"lin.{new_secret()}@example.org"
    with httpx.Client(base_url=site.base, timeout=30) as visitor:
        # Sign up, then confirm the email address from the link in the email.
        signed_up = _post_form(
            visitor, "/accounts/signup/", {"email": email, "password1": PASSWORD, "password2": PASSWORD}
        )
        assert signed_up.status_code == 302
        confirm = site.wait_for_mail(r"/accounts/confirm-email/([^/\s]+)/")
        secrets.append(confirm.group(1))
        confirmed = _post_form(visitor, confirm.group(0), {})
        assert confirmed.status_code == 302
        # A wrong confirmation key and a wrong reset key: pages that answer, with the key in their path.
        wrong_confirm, wrong_reset = new_secret(), new_secret()
        secrets += [wrong_confirm, wrong_reset]
        assert visitor.get(f"/accounts/confirm-email/{wrong_confirm}/").status_code in (200, 404)
        assert visitor.get(f"/accounts/password/reset/key/1-{wrong_reset}/").status_code == 200
        # No such page (no "-" in it): Django's request logger writes the path of a 404.
        unmatched = new_secret()
        secrets.append(unmatched)
        assert visitor.get(f"/accounts/password/reset/key/{unmatched}").status_code == 404

    with httpx.Client(base_url=site.base, timeout=30) as forgetful:
        # Ask for a password reset and follow the link: allauth moves the key into the session by a redirect.
        seen = site.mail_count()
        assert _post_form(forgetful, "/accounts/password/reset/", {"email": email}).status_code == 302
        reset = site.wait_for_mail(r"/accounts/password/reset/key/([0-9A-Za-z]+)-([^/\s]+)/", seen=seen)
        secrets.append(reset.group(2))
        followed = forgetful.get(reset.group(0))
        assert followed.status_code == 302
        changed = _post_form(
            forgetful, followed.headers["location"], {"password1": PASSWORD + "!", "password2": PASSWORD + "!"}
        )
        assert changed.status_code == 302

    member_email = f"kim.{new_secret()}@example.org"
    cookie = site.member_cookie(member_email)
    with httpx.Client(base_url=site.base, timeout=30, cookies={"sessionid": cookie}) as member:
        # Make a private calendar feed; its address is shown once. Fetch it, and a wrong one (a 404).
        made = _post_form(member, "/calendar/", {"action": "reset"})
        assert made.status_code == 200
        token = re.search(r"/calendar/([-\w]+)\.ics", made.text)
        assert token, "the new feed address is shown"
        secrets.append(token.group(1))
        assert member.get(f"/calendar/{token.group(1)}.ics").status_code == 200
        wrong_token = new_secret()
        secrets.append(wrong_token)
        assert member.get(f"/calendar/{wrong_token}.ics").status_code == 404
        # A search may name a person or a topic: its words stay out of the log too.
        query = f"burnout{new_secret()}"
        secrets.append(query)
        assert member.get("/library/", params={"q": query, "page": "1"}).status_code == 200

    log = site.stop()
    # The log is there and names the routes...
    assert '"GET /calendar/<redacted> HTTP/1.1" 200' in log
    assert '"GET /calendar/<redacted> HTTP/1.1" 404' in log
    assert "Not Found: /accounts/password/reset/key/<redacted>" in log
    assert '"POST /accounts/confirm-email/<redacted> HTTP/1.1" 302' in log
    assert '"GET /accounts/password/reset/key/<redacted> HTTP/1.1" 302' in log
    assert '"GET /library/?q=<redacted>&page=1 HTTP/1.1" 200' in log
    # ...and none of the secrets, nor the email addresses.
    for secret in [*secrets, email, member_email]:
        assert secret not in log, f"{secret!r} is in the server log"


def _walk(resolver: URLResolver, prefix: str = "", namespace: str = "") -> Iterator[tuple[str, str, URLPattern]]:
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _walk(entry, prefix + str(entry.pattern), inner)
        else:
            yield f"{namespace}{entry.name}", prefix + str(entry.pattern), entry


def test_every_url_with_a_credential_in_its_path_has_a_redaction_rule() -> None:
    covered = []
    for name, route, entry in _walk(get_resolver()):
        arguments = set(entry.pattern.regex.groupindex) | set(getattr(entry.pattern, "converters", {}))
        if not arguments & CREDENTIAL_ARGUMENTS or name in NOT_CREDENTIALS:
            continue
        literal = "/" + re.split(r"[<(^]", route.replace("^", ""), maxsplit=1)[0]
        assert any(literal.startswith(prefix) for prefix in SECRET_PREFIXES), (
            f"{name} ({route}) carries a credential in its path: add its prefix to SECRET_PREFIXES"
        )
        covered.append(name)
    assert {"account_confirm_email", "account_reset_password_from_key", "meetings:calendar_feed"} <= set(covered)


@pytest.mark.parametrize(
    ("line", "logged"),
    [
        (
            '1.2.3.4:5 - "GET /calendar/0a1b2c3d-abc_DEF.ics HTTP/1.1" 200',
            '1.2.3.4:5 - "GET /calendar/<redacted> HTTP/1.1" 200',
        ),
        ("Not Found: /accounts/confirm-email/MQ:1t0:abc/", "Not Found: /accounts/confirm-email/<redacted>"),
        ("/accounts/password/reset/key/3-ab/cd/?next=/x", "/accounts/password/reset/key/<redacted>?next=<redacted>"),
        ("/library/?q=alice%40example.org&page=2", "/library/?q=<redacted>&page=2"),
        ("/calendar/", "/calendar/"),
        ("/connections/12/sessions/", "/connections/12/sessions/"),
    ],
)
def test_it_cuts_a_credential_back_to_its_route(line: str, logged: str) -> None:
    assert redact(line) == logged


def test_every_record_is_redacted_as_it_is_made_whoever_logs_it(caplog: pytest.LogCaptureFixture) -> None:
    logger = logging.getLogger("uvicorn.access.test")
    logger.propagate = True
    with caplog.at_level(logging.INFO):
        logger.info('%s - "%s %s HTTP/%s" %d', "1.2.3.4:5", "GET", "/calendar/s3cr3t.ics", "1.1", 200)
        try:
            raise ValueError("no feed for /calendar/s3cr3t.ics")
        except ValueError:
            logging.getLogger("django.request").exception("Internal Server Error: %s", "/calendar/s3cr3t.ics")
    assert caplog.records[0].args == ("1.2.3.4:5", "GET", "/calendar/<redacted>", "1.1", 200)  # shape kept
    assert "s3cr3t" not in caplog.text
    assert "Internal Server Error: /calendar/<redacted>" in caplog.text
    assert "ValueError: no feed for /calendar/<redacted>" in caplog.text
