import pytest
from django.urls import reverse

from alongside.audit.models import AuditEvent
from alongside.library.models import Category, Resource
from alongside.service.selectors import snapshot
from tests.factories import ResourceFactory

pytestmark = pytest.mark.django_db


def _post_data(**overrides):
    data = {
        "title": "Lifeline",
        "description": "Crisis support, day and night.",
        "url": "",
        "phone": "13 11 14",
        "category": Category.CRISIS,
        "region": "AU",
        "is_crisis": "on",
        "position": "1",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_the_list_shows_every_resource_with_links_to_edit_and_delete(coordinator_client):
    resource = ResourceFactory(title="Hand-n-Hand Peer Support")
    body = coordinator_client.get(reverse("console:resources")).content.decode()
    assert "Hand-n-Hand Peer Support" in body
    assert reverse("console:resource_edit", args=[resource.pk]) in body
    assert reverse("console:resource_delete", args=[resource.pk]) in body


def test_the_list_searches_and_filters_by_category_and_exact_region(coordinator_client):
    ResourceFactory(title="Victorian Doctors Health Program", category=Category.DOCTORS_HEALTH, region="VIC")
    ResourceFactory(title="Doctors Health NSW", category=Category.DOCTORS_HEALTH, region="NSW")
    ResourceFactory(title="Doctors reading list", category=Category.READING, region="VIC")
    body = coordinator_client.get(
        reverse("console:resources"), {"q": "doctors", "category": Category.DOCTORS_HEALTH, "region": "VIC"}
    ).content.decode()
    assert "Victorian Doctors Health Program" in body
    assert "Doctors Health NSW" not in body and "Doctors reading list" not in body
    assert "1 resource matches" in body


def test_the_list_can_show_only_crisis_lines(coordinator_client):
    ResourceFactory(title="Lifeline", phone="13 11 14", is_crisis=True, category=Category.CRISIS)
    ResourceFactory(title="A good book")
    body = coordinator_client.get(reverse("console:resources"), {"crisis": "on"}).content.decode()
    assert "Lifeline" in body and "A good book" not in body


def test_adding_a_crisis_line_shows_it_in_the_strip_at_once(coordinator_client, django_capture_on_commit_callbacks):
    before = coordinator_client.get(reverse("console:resources")).content.decode()
    assert "Beyond Blue" not in before  # the strip is cached from this page on
    with django_capture_on_commit_callbacks(execute=True):
        response = coordinator_client.post(
            reverse("console:resource_add"), _post_data(title="Beyond Blue", phone="1300 22 4636", region="AU")
        )
    assert response.status_code == 302 and response.url == reverse("console:resources")
    body = coordinator_client.get("/").content.decode()
    strip = body[body.index('aria-label="Urgent help"') : body.index("</aside>")]
    assert "Beyond Blue" in strip and 'href="tel:1300224636"' in strip
    event = AuditEvent.objects.get(action="library.resource.created")
    assert event.details == {"is_crisis": True, "region": "AU"}


def test_adding_a_resource_without_link_or_phone_shows_field_errors_and_saves_nothing(coordinator_client):
    response = coordinator_client.post(reverse("console:resource_add"), _post_data(phone="", is_crisis=None))
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors["url"] == ["Give a link, a phone number, or both."]
    assert form.errors["phone"] == ["Give a link, a phone number, or both."]
    assert "Nothing was saved" in response.content.decode()
    assert not Resource.objects.exists()


def test_a_10_kb_title_is_refused_with_a_message_and_nothing_saved(coordinator_client):
    response = coordinator_client.post(reverse("console:resource_add"), _post_data(title="x" * 10_240))
    assert response.status_code == 200
    assert "at most 160 characters" in response.content.decode()
    assert not Resource.objects.exists()
    assert not AuditEvent.objects.filter(action="library.resource.created").exists()


def test_the_add_page_from_settings_starts_as_a_crisis_line_for_the_service_region(coordinator_client):
    response = coordinator_client.get(reverse("console:resource_add"), {"crisis": "1"})
    form = response.context["form"]
    assert form.initial == {"is_crisis": True, "category": Category.CRISIS, "region": snapshot().settings.region}


def test_after_adding_it_returns_to_the_console_page_it_came_from_but_nowhere_else(coordinator_client):
    settings_url = reverse("console:settings")
    ok = coordinator_client.post(f"{reverse('console:resource_add')}?next={settings_url}", _post_data())
    assert ok.url == settings_url
    elsewhere = coordinator_client.post(
        f"{reverse('console:resource_add')}?next=https://evil.example/console/", _post_data(title="Another")
    )
    assert elsewhere.url == reverse("console:resources")


def test_editing_a_resource_saves_it_and_audits_the_changed_fields(
    coordinator_client, django_capture_on_commit_callbacks
):
    resource = ResourceFactory(title="Old name", url="https://example.org", phone="")
    with django_capture_on_commit_callbacks(execute=True):
        response = coordinator_client.post(
            reverse("console:resource_edit", args=[resource.pk]),
            _post_data(
                title="New name",
                description=resource.description,
                url="https://example.org",
                phone="",
                is_crisis=None,
                category=resource.category,
                position="100",
            ),
        )
    assert response.status_code == 302
    resource.refresh_from_db()
    assert resource.title == "New name"
    assert AuditEvent.objects.get(action="library.resource.updated").details["fields"] == ["title"]


def test_an_invalid_edit_keeps_the_saved_title_in_the_heading_and_changes_nothing(coordinator_client):
    resource = ResourceFactory(title="Kept title")
    response = coordinator_client.post(
        reverse("console:resource_edit", args=[resource.pk]), _post_data(title="", url="", phone="", is_crisis=None)
    )
    assert response.status_code == 200
    assert "Edit “Kept title”" in response.content.decode()
    assert "title" in response.context["form"].errors
    resource.refresh_from_db()
    assert resource.title == "Kept title"


def test_the_edit_page_of_a_missing_resource_is_404(coordinator_client):
    assert coordinator_client.get(reverse("console:resource_edit", args=[999_999])).status_code == 404


def test_deleting_asks_first_and_then_deletes(coordinator_client, django_capture_on_commit_callbacks):
    resource = ResourceFactory(title="13YARN", phone="13 92 76", is_crisis=True, category=Category.CRISIS)
    confirm = coordinator_client.get(reverse("console:resource_delete", args=[resource.pk]))
    assert confirm.status_code == 200
    body = confirm.content.decode()
    assert "Delete “13YARN”?" in body and "This is a crisis line." in body
    assert Resource.objects.filter(pk=resource.pk).exists()
    assert "13YARN" in coordinator_client.get("/").content.decode()  # cached in the strip
    with django_capture_on_commit_callbacks(execute=True):
        response = coordinator_client.post(reverse("console:resource_delete", args=[resource.pk]))
    assert response.status_code == 302
    assert not Resource.objects.filter(pk=resource.pk).exists()
    assert AuditEvent.objects.filter(action="library.resource.deleted", target_id=str(resource.pk)).exists()
    home = coordinator_client.get("/").content.decode()
    assert "13YARN" not in home[home.index('aria-label="Urgent help"') : home.index("</aside>")]


@pytest.mark.parametrize("name", ["console:resource_add", "console:resource_edit", "console:resource_delete"])
def test_members_and_supporters_cannot_change_resources(name, member_client, supporter_client):
    resource = ResourceFactory(title="Untouched")
    url = reverse(name) if name == "console:resource_add" else reverse(name, args=[resource.pk])
    for client in (member_client, supporter_client):
        assert client.post(url, _post_data(title="Changed")).status_code == 403
    resource.refresh_from_db()
    assert resource.title == "Untouched" and Resource.objects.count() == 1
    assert AuditEvent.objects.filter(action="access.coordinator_area", outcome="denied").count() == 2
