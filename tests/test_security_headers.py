"""Security headers on every answer: every route of the URL conf (as a visitor and signed in), every error page
(400, 403, 404, 500), the static files and the service worker.

The headers (alongside/settings.py): a Content-Security-Policy allowing 'self' only and no framing, nosniff, a
same-origin referrer policy and opener policy, X-Frame-Options DENY, and a Permissions-Policy that turns off every
powerful feature the service does not use (the microphone is the site's own, for voice calls).
"""

from __future__ import annotations

from typing import Any

import pytest
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.test import Client, override_settings
from django.urls import include, path, reverse

from tests.test_permissions import MATRIX, cast, other_supporter  # noqa: F401 (fixtures)

EXPECTED = {
    "X-Content-Type-Options": {"nosniff"},
    # A page whose address is a credential (the calendar feed) sends no referrer at all.
    "Referrer-Policy": {"same-origin", "no-referrer"},
    "Cross-Origin-Opener-Policy": {"same-origin"},
    "X-Frame-Options": {"DENY"},
}


def assert_secure_headers(response: Any, what: str) -> None:
    missing = {name: response.get(name) for name, value in EXPECTED.items() if response.get(name) not in value}
    assert not missing, f"{what} ({response.status_code}): wrong or missing headers {missing}"
    csp = response.get("Content-Security-Policy", "")
    for directive in ("default-src 'self'", "script-src 'self'", "style-src 'self'", "frame-ancestors 'none'"):
        assert directive in csp, f"{what} ({response.status_code}): CSP without {directive!r}: {csp!r}"
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp, f"{what}: {csp!r}"
    policy = response.get("Permissions-Policy", "")
    for feature in ("camera=()", "geolocation=()", "microphone=(self)", "payment=()"):
        assert feature in policy, f"{what} ({response.status_code}): Permissions-Policy without {feature}: {policy!r}"


@pytest.mark.django_db
def test_every_route_answers_with_the_security_headers(cast) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    visitors = {"anon": Client()}
    for role in ("member", "supporter", "coordinator"):
        visitors[role] = Client()
        visitors[role].force_login(cast[role])
    for name, row in sorted(MATRIX.items()):
        with transaction.atomic():  # each row's objects made afresh, as the permission matrix does
            url = reverse(name, kwargs=row.kwargs(cast))
            for role, client in visitors.items():
                for method in ("get", "post"):
                    assert_secure_headers(getattr(client, method)(url), f"{method.upper()} {name} as {role}")
            transaction.set_rollback(True)


@pytest.mark.django_db
def test_the_error_pages_carry_the_security_headers(member) -> None:  # type: ignore[no-untyped-def]
    client = Client()
    assert_secure_headers(client.get("/no/such/page/?q=anything"), "404")
    assert_secure_headers(client.get("/", headers={"host": "evil.example"}), "400 (a host not allowed)")
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(member)
    refused = strict.post(reverse("notifications:read_all"))
    assert refused.status_code == 403
    assert_secure_headers(refused, "403 (CSRF)")


def _boom(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("a bug")


urlpatterns = [path("boom/", _boom), path("", include("alongside.urls"))]
handler500 = "alongside.service.views.server_error"


@pytest.mark.django_db
@override_settings(ROOT_URLCONF=__name__)
def test_a_server_error_page_carries_the_security_headers() -> None:
    response = Client(raise_request_exception=False).get("/boom/")
    assert response.status_code == 500
    assert_secure_headers(response, "500")


@pytest.mark.django_db
def test_static_files_and_the_service_worker_carry_the_security_headers() -> None:
    client = Client()
    for url in ("/static/css/alongside.css", "/static/js/app.js", "/static/icons/icon.svg", "/service-worker.js"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert_secure_headers(response, url)
