import re

import pytest
from django.urls import reverse

from alongside.audit.models import AuditEvent
from tests.factories import ResourceFactory, WorkplaceFactory

pytestmark = pytest.mark.django_db

SECTIONS = {
    "console:index": "Overview",
    "console:people": "People",
    "console:resources": "Resources",
    "console:workplaces": "Workplaces",
    "console:settings": "Settings",
}


def _current(body: str) -> dict[str, str]:
    nav = body[body.index('aria-label="Console"') :]
    nav = nav[: nav.index("</nav>")]
    return {label: value for value, label in re.findall(r'aria-current="(\w+)">(\w+)</a>', nav)}


def test_the_overview_counts_people_resources_and_workplaces(coordinator_client, member, supporter):
    ResourceFactory()
    ResourceFactory(phone="000", is_crisis=True)
    WorkplaceFactory()
    WorkplaceFactory(active=False)
    counts = coordinator_client.get(reverse("console:index")).context["counts"]
    assert counts == {
        "members": 1,
        "supporters": 1,
        "coordinators": 1,
        "resources": 2,
        "crisis_lines": 1,
        "workplaces": 1,
    }


@pytest.mark.parametrize("name", sorted(SECTIONS))
def test_the_console_navigation_marks_the_current_page(coordinator_client, name):
    body = coordinator_client.get(reverse(name)).content.decode()
    for label in SECTIONS.values():
        assert f">{label}</a>" in body
    assert _current(body) == {SECTIONS[name]: "page"}


def test_pages_inside_a_section_mark_the_section(coordinator_client):
    body = coordinator_client.get(reverse("console:resource_add")).content.decode()
    assert _current(body) == {"Resources": "true"}
    body = coordinator_client.get(reverse("console:workplace_bulk_add")).content.decode()
    assert _current(body) == {"Workplaces": "true"}


def test_console_pages_load_their_stylesheet_from_a_file(coordinator_client):
    body = coordinator_client.get(reverse("console:index")).content.decode()
    assert 'href="/static/console/console.css"' in body
    assert "<style" not in body and "style=" not in body


@pytest.mark.parametrize("name", sorted(SECTIONS))
def test_members_are_refused_every_console_page_and_the_refusal_is_audited(member_client, member, name):
    assert member_client.get(reverse(name)).status_code == 403
    event = AuditEvent.objects.get(action="access.coordinator_area")
    assert event.outcome == "denied" and event.actor_id == member.pk and event.details["path"] == reverse(name)
