import pytest
from django.urls import reverse

from alongside.audit.models import AuditEvent
from alongside.directory.models import Workplace
from tests.factories import WorkplaceFactory

pytestmark = pytest.mark.django_db


def test_the_list_searches_by_name_and_filters_by_region_and_status(coordinator_client):
    WorkplaceFactory(name="Royal Melbourne Hospital", region="VIC")
    WorkplaceFactory(name="Royal Prince Alfred Hospital", region="NSW")
    WorkplaceFactory(name="Royal Women's Hospital", region="VIC", active=False)
    url = reverse("console:workplaces")
    body = coordinator_client.get(url, {"q": "royal", "region": "VIC"}).content.decode()
    assert "Royal Melbourne Hospital" in body and "Royal Women&#x27;s Hospital" in body
    assert "Royal Prince Alfred" not in body
    body = coordinator_client.get(url, {"q": "royal", "status": "inactive"}).content.decode()
    assert "Royal Women&#x27;s Hospital" in body and "Royal Melbourne Hospital" not in body


def test_adding_a_workplace_saves_it_and_audits_it(coordinator_client, coordinator):
    response = coordinator_client.post(reverse("console:workplace_add"), {"name": "Grampians Health", "region": "VIC"})
    assert response.status_code == 302
    workplace = Workplace.objects.get(name="Grampians Health")
    event = AuditEvent.objects.get(action="directory.workplace.created")
    assert event.actor_id == coordinator.pk and event.target_id == str(workplace.pk)


def test_a_duplicate_name_is_refused_with_a_field_error(coordinator_client):
    WorkplaceFactory(name="Grampians Health")
    response = coordinator_client.post(reverse("console:workplace_add"), {"name": "GRAMPIANS health", "region": "VIC"})
    assert response.status_code == 200
    assert response.context["form"].errors["name"] == ["A workplace with this name is already in the directory."]
    assert Workplace.objects.count() == 1


def test_a_10_kb_name_is_refused_with_a_message_and_nothing_saved(coordinator_client):
    response = coordinator_client.post(reverse("console:workplace_add"), {"name": "x" * 10_240, "region": "VIC"})
    assert response.status_code == 200
    assert "at most 200 characters" in response.content.decode()
    assert not Workplace.objects.exists()


def test_editing_a_workplace_renames_it(coordinator_client):
    workplace = WorkplaceFactory(name="Barwon Health", region="VIC")
    page = coordinator_client.get(reverse("console:workplace_edit", args=[workplace.pk]))
    assert page.context["form"].initial == {"name": "Barwon Health", "region": "VIC"}
    response = coordinator_client.post(
        reverse("console:workplace_edit", args=[workplace.pk]), {"name": "Barwon Health (Geelong)", "region": "VIC"}
    )
    assert response.status_code == 302
    workplace.refresh_from_db()
    assert workplace.name == "Barwon Health (Geelong)"


def test_editing_to_another_workplaces_name_is_a_field_error(coordinator_client):
    WorkplaceFactory(name="Eastern Health")
    workplace = WorkplaceFactory(name="Western Health")
    response = coordinator_client.post(
        reverse("console:workplace_edit", args=[workplace.pk]), {"name": "Eastern Health", "region": "VIC"}
    )
    assert response.status_code == 200
    assert "name" in response.context["form"].errors
    workplace.refresh_from_db()
    assert workplace.name == "Western Health"


def test_deactivating_and_reactivating_a_workplace(coordinator_client, member):
    workplace = WorkplaceFactory(name="Alfred Health")
    member.profile.workplaces.add(workplace)
    url = reverse("console:workplace_active", args=[workplace.pk])
    response = coordinator_client.post(url, {"active": "0"})
    assert response.status_code == 302 and response.url == reverse("console:workplace_edit", args=[workplace.pk])
    workplace.refresh_from_db()
    assert workplace.active is False
    assert member.profile.workplaces.filter(pk=workplace.pk).exists()  # kept on the profile
    page = coordinator_client.get(reverse("console:workplace_edit", args=[workplace.pk])).content.decode()
    assert "This workplace is inactive" in page and "Reactivate" in page
    coordinator_client.post(url, {"active": "1"})
    workplace.refresh_from_db()
    assert workplace.active is True
    actions = list(
        AuditEvent.objects.filter(target_type="directory.workplace", target_id=str(workplace.pk)).values_list(
            "action", flat=True
        )
    )
    assert sorted(actions) == ["directory.workplace.deactivated", "directory.workplace.reactivated"]


def test_a_garbled_activation_request_changes_nothing(coordinator_client):
    workplace = WorkplaceFactory()
    response = coordinator_client.post(reverse("console:workplace_active", args=[workplace.pk]), {"active": "maybe"})
    assert response.status_code == 302
    workplace.refresh_from_db()
    assert workplace.active is True


def test_bulk_add_reports_what_it_added_and_skipped(coordinator_client):
    WorkplaceFactory(name="Monash Health")
    response = coordinator_client.post(
        reverse("console:workplace_bulk_add"),
        {"names": "Monash Health\nEastern Health\n\nAlfred Health\neastern health\n", "region": "VIC"},
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "Added 2 workplaces." in body
    assert "Skipped 2 names" in body and "<li>Monash Health</li>" in body and "<li>eastern health</li>" in body
    assert set(Workplace.objects.values_list("name", flat=True)) == {"Monash Health", "Eastern Health", "Alfred Health"}


def test_bulk_add_without_duplicates_goes_back_to_the_list(coordinator_client):
    response = coordinator_client.post(
        reverse("console:workplace_bulk_add"), {"names": "Eastern Health\nAlfred Health", "region": "NSW"}
    )
    assert response.status_code == 302 and response.url == reverse("console:workplaces")
    assert set(Workplace.objects.values_list("region", flat=True)) == {"NSW"}


def test_bulk_add_with_an_invalid_line_adds_nothing_and_says_which_line(coordinator_client):
    response = coordinator_client.post(
        reverse("console:workplace_bulk_add"),
        {"names": "Eastern Health\n" + "x" * 10_240 + "\nAlfred Health", "region": "VIC"},
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "Line 2: Use at most 200 characters" in body
    assert "Nothing was added" in body
    assert not Workplace.objects.exists()


def test_members_and_supporters_cannot_change_the_directory(member_client, supporter_client):
    workplace = WorkplaceFactory(name="Untouched")
    for client in (member_client, supporter_client):
        assert client.post(reverse("console:workplace_add"), {"name": "New", "region": "VIC"}).status_code == 403
        assert client.post(reverse("console:workplace_bulk_add"), {"names": "New", "region": "VIC"}).status_code == 403
        assert client.post(reverse("console:workplace_active", args=[workplace.pk]), {"active": "0"}).status_code == 403
    workplace.refresh_from_db()
    assert workplace.active and Workplace.objects.count() == 1
