import datetime as dt

import pytest

from alongside.library.models import Category, Resource
from alongside.service.models import OpeningHours
from alongside.service.selectors import forget_snapshot

pytestmark = pytest.mark.django_db


@pytest.fixture
def crisis_lines():
    Resource.objects.create(title="Lifeline", phone="13 11 14", category=Category.CRISIS, is_crisis=True, position=1)
    Resource.objects.create(title="Emergency", phone="000", category=Category.CRISIS, is_crisis=True, position=0)
    Resource.objects.create(
        title="NSW only line", phone="1800 000 000", category=Category.CRISIS, is_crisis=True, region="NSW"
    )
    forget_snapshot()


def test_it_explains_what_peer_support_is_and_is_not(client):
    body = client.get("/").content.decode()
    assert "not</strong> supervision, mentoring, counselling or therapy" in body
    assert "Talk now" in body and "An ongoing peer" in body and "Groups" in body
    assert "risk of harm" in body


def test_every_page_shows_the_crisis_lines_of_the_service_region(client, crisis_lines):
    for path in ["/", "/about/", "/accounts/login/", "/no-such-page/"]:
        body = client.get(path).content.decode()
        assert 'aria-label="Urgent help"' in body, path
        assert "Lifeline" in body and 'href="tel:131114"' in body, path
        assert "NSW only line" not in body, path


def test_the_crisis_strip_lists_emergency_first_by_position(client, crisis_lines):
    body = client.get("/").content.decode()
    assert body.index("Emergency") < body.index("Lifeline")


def test_it_shows_opening_hours_grouped_by_day(client):
    for day in range(5):
        OpeningHours.objects.create(weekday=day, opens=dt.time(8), closes=dt.time(22))
    OpeningHours.objects.create(weekday=5, is_open=False)
    forget_snapshot()
    body = client.get("/").content.decode()
    assert "Monday – Friday" in body and "8 am – 10 pm" in body
    assert "Saturday" in body and "closed" in body


def test_unknown_pages_are_friendly_and_reveal_nothing(client):
    response = client.get("/definitely/not/here/")
    assert response.status_code == 404
    body = response.content.decode()
    assert "We can't find that page" in body
    assert "Traceback" not in body and "urlpatterns" not in body


def _crisis_strip_in(body: str) -> bool:
    return 'aria-label="Urgent help"' in body and 'href="tel:131114"' in body


def test_the_friendly_error_pages_keep_the_crisis_strip(client, crisis_lines, settings):
    """With debug off (what `make run` serves), 400, 403, 404 and 500 all show the crisis lines."""
    from django.contrib.auth.models import AnonymousUser
    from django.test import RequestFactory

    from alongside.service.views import server_error
    from tests import factories

    settings.DEBUG = False
    bad = client.get("/", HTTP_HOST="not-ours.example")  # a host we don't serve: Django's 400
    assert bad.status_code == 400 and _crisis_strip_in(bad.content.decode())
    assert "We couldn't understand that request" in bad.content.decode()

    missing = client.get("/no/such/page/")
    assert missing.status_code == 404 and _crisis_strip_in(missing.content.decode())

    client.force_login(factories.member())
    refused = client.get("/console/")
    assert refused.status_code == 403 and _crisis_strip_in(refused.content.decode())
    assert "This page isn't open to you" in refused.content.decode()

    request = RequestFactory().get("/")
    request.user = AnonymousUser()
    failed = server_error(request)
    assert failed.status_code == 500 and _crisis_strip_in(failed.content.decode())
