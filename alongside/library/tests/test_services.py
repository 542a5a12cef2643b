import pytest
from django.core.exceptions import ValidationError

from alongside.audit.models import AuditEvent
from alongside.library.models import Category, Resource
from alongside.library.services import create_resource, delete_resource, update_resource
from alongside.service.selectors import snapshot
from tests.factories import ResourceFactory

pytestmark = pytest.mark.django_db


def _crisis_titles() -> list[str]:
    return [line.title for line in snapshot().crisis_lines]


def test_it_creates_a_resource_and_audits_it_without_its_words(coordinator):
    resource = create_resource(
        actor=coordinator,
        title="Doctors' Health Advisory Service",
        description="Confidential advice for doctors.",
        phone="03 9280 8712",
        category=Category.DOCTORS_HEALTH,
        region="VIC",
    )
    assert Resource.objects.get(pk=resource.pk).phone == "03 9280 8712"
    event = AuditEvent.objects.get(action="library.resource.created")
    assert event.actor_id == coordinator.pk
    assert event.target_type == "library.resource" and event.target_id == str(resource.pk)
    assert "Advisory" not in str(event.details) and "9280" not in str(event.details)


def test_it_refuses_a_resource_without_link_or_phone(coordinator):
    with pytest.raises(ValidationError):
        create_resource(actor=coordinator, title="Nowhere", category=Category.READING, region="AU")
    assert not Resource.objects.exists()
    assert not AuditEvent.objects.filter(action="library.resource.created").exists()


def test_it_refuses_a_crisis_line_without_a_phone_number(coordinator):
    with pytest.raises(ValidationError) as exc:
        create_resource(
            actor=coordinator,
            title="A website",
            url="https://example.org",
            category=Category.CRISIS,
            region="AU",
            is_crisis=True,
        )
    assert "phone" in exc.value.message_dict
    assert not Resource.objects.exists()


def test_it_refuses_a_10_kb_title_and_saves_nothing(coordinator):
    with pytest.raises(ValidationError) as exc:
        create_resource(
            actor=coordinator, title="x" * 10_240, url="https://example.org", category=Category.READING, region="AU"
        )
    assert "title" in exc.value.message_dict
    assert not Resource.objects.exists()


def test_an_update_records_which_fields_changed(coordinator):
    resource = ResourceFactory(title="Old title", position=5)
    update_resource(
        actor=coordinator,
        resource=resource,
        title="New title",
        description=resource.description,
        url=resource.url,
        phone="",
        category=resource.category,
        region=resource.region,
        is_crisis=False,
        position=1,
    )
    resource.refresh_from_db()
    assert resource.title == "New title" and resource.position == 1
    event = AuditEvent.objects.get(action="library.resource.updated")
    assert event.details["fields"] == ["position", "title"]


def test_an_update_that_changes_nothing_records_nothing(coordinator):
    resource = ResourceFactory()
    update_resource(
        actor=coordinator,
        resource=resource,
        title=resource.title,
        description=resource.description,
        url=resource.url,
        phone=resource.phone,
        category=resource.category,
        region=resource.region,
        is_crisis=resource.is_crisis,
        position=resource.position,
    )
    assert not AuditEvent.objects.filter(action="library.resource.updated").exists()


def test_an_invalid_update_leaves_the_resource_as_it_was(coordinator):
    resource = ResourceFactory(title="Kept", url="https://example.org/kept", phone="")
    with pytest.raises(ValidationError):
        update_resource(
            actor=coordinator,
            resource=resource,
            title="Changed",
            url="",
            phone="",
            category=resource.category,
            region=resource.region,
        )
    resource.refresh_from_db()
    assert resource.title == "Kept" and resource.url == "https://example.org/kept"


def test_it_deletes_a_resource_and_audits_it(coordinator):
    resource = ResourceFactory()
    delete_resource(actor=coordinator, resource=resource)
    assert not Resource.objects.filter(pk=resource.pk).exists()
    event = AuditEvent.objects.get(action="library.resource.deleted")
    assert event.target_id == str(resource.pk) and event.actor_id == coordinator.pk


def test_a_new_crisis_line_reaches_the_strip_once_the_change_commits(coordinator, django_capture_on_commit_callbacks):
    assert _crisis_titles() == []  # primes the cached snapshot
    with django_capture_on_commit_callbacks() as callbacks:
        create_resource(
            actor=coordinator, title="Lifeline", phone="13 11 14", category=Category.CRISIS, region="AU", is_crisis=True
        )
    assert _crisis_titles() == []  # not before the commit: another request could cache the old rows again
    for callback in callbacks:
        callback()
    assert _crisis_titles() == ["Lifeline"]


def test_editing_or_deleting_a_crisis_line_updates_the_strip(coordinator, django_capture_on_commit_callbacks):
    resource = ResourceFactory(title="Lifeline", phone="13 11 14", url="", is_crisis=True, category=Category.CRISIS)
    assert _crisis_titles() == ["Lifeline"]
    with django_capture_on_commit_callbacks(execute=True):
        update_resource(
            actor=coordinator,
            resource=resource,
            title="Lifeline Australia",
            phone="13 11 14",
            category=Category.CRISIS,
            region="AU",
            is_crisis=True,
        )
    assert _crisis_titles() == ["Lifeline Australia"]
    with django_capture_on_commit_callbacks(execute=True):
        delete_resource(actor=coordinator, resource=resource)
    assert _crisis_titles() == []
