import pytest
from django.core.exceptions import ValidationError

from alongside.accounts.forms import ProfileForm
from alongside.audit.models import AuditEvent
from alongside.directory.models import Workplace
from alongside.directory.services import (
    BULK_MAX_LINES,
    bulk_add_workplaces,
    create_workplace,
    set_workplace_active,
    update_workplace,
)
from tests.factories import WorkplaceFactory

pytestmark = pytest.mark.django_db


def test_it_adds_a_workplace_with_tidy_spaces_and_audits_it(coordinator):
    workplace = create_workplace(actor=coordinator, name="  Royal   Melbourne Hospital ", region="VIC")
    assert workplace.name == "Royal Melbourne Hospital" and workplace.active
    event = AuditEvent.objects.get(action="directory.workplace.created")
    assert event.actor_id == coordinator.pk and event.target_id == str(workplace.pk)


def test_it_refuses_a_duplicate_name_whatever_its_case(coordinator):
    WorkplaceFactory(name="Alfred Health")
    with pytest.raises(ValidationError) as exc:
        create_workplace(actor=coordinator, name="ALFRED  health", region="VIC")
    assert "name" in exc.value.message_dict
    assert Workplace.objects.count() == 1


def test_it_refuses_a_10_kb_name(coordinator):
    with pytest.raises(ValidationError) as exc:
        create_workplace(actor=coordinator, name="x" * 10_240, region="VIC")
    assert "at most 200 characters" in exc.value.message_dict["name"][0]
    assert not Workplace.objects.exists()


def test_it_refuses_an_unknown_region(coordinator):
    with pytest.raises(ValidationError) as exc:
        create_workplace(actor=coordinator, name="Somewhere", region="XX")
    assert "region" in exc.value.message_dict


def test_a_workplace_can_be_renamed_to_a_new_case_of_its_own_name(coordinator):
    workplace = WorkplaceFactory(name="monash health")
    update_workplace(actor=coordinator, workplace=workplace, name="Monash Health", region="VIC")
    workplace.refresh_from_db()
    assert workplace.name == "Monash Health"
    assert AuditEvent.objects.get(action="directory.workplace.updated").details == {"fields": ["name"]}


def test_a_workplace_cannot_be_renamed_to_another_ones_name(coordinator):
    WorkplaceFactory(name="Eastern Health")
    workplace = WorkplaceFactory(name="Western Health")
    with pytest.raises(ValidationError):
        update_workplace(actor=coordinator, workplace=workplace, name="eastern health", region="VIC")
    workplace.refresh_from_db()
    assert workplace.name == "Western Health"


def test_a_deactivated_workplace_stays_on_profiles_but_is_no_longer_offered(coordinator, member):
    workplace = WorkplaceFactory(name="Peninsula Health")
    member.profile.workplaces.add(workplace)
    assert set_workplace_active(actor=coordinator, workplace=workplace, active=False) is True
    assert list(member.profile.workplaces.all()) == [workplace]
    assert workplace not in ProfileForm().fields["workplaces"].queryset
    assert AuditEvent.objects.filter(action="directory.workplace.deactivated", target_id=str(workplace.pk)).exists()


def test_reactivating_offers_the_workplace_again_and_repeats_change_nothing(coordinator):
    workplace = WorkplaceFactory(active=False)
    assert set_workplace_active(actor=coordinator, workplace=workplace, active=True) is True
    assert set_workplace_active(actor=coordinator, workplace=workplace, active=True) is False
    assert workplace in ProfileForm().fields["workplaces"].queryset
    assert AuditEvent.objects.filter(action="directory.workplace.reactivated").count() == 1


def test_bulk_add_adds_new_names_and_reports_duplicates_it_skipped(coordinator):
    WorkplaceFactory(name="Barwon Health")
    result = bulk_add_workplaces(
        actor=coordinator,
        names=["Bendigo Health", "barwon health", "", "Ballarat Health Services", "BENDIGO HEALTH"],
        region="VIC",
    )
    assert sorted(w.name for w in result.added) == ["Ballarat Health Services", "Bendigo Health"]
    assert result.skipped == ["barwon health", "BENDIGO HEALTH"]
    assert all(w.pk is not None and w.region == "VIC" for w in result.added)
    assert Workplace.objects.count() == 3
    event = AuditEvent.objects.get(action="directory.workplace.bulk_added")
    assert event.details == {"added": 2, "skipped": 2, "region": "VIC"}


def test_bulk_add_adds_nothing_when_any_line_is_invalid(coordinator):
    with pytest.raises(ValidationError) as exc:
        bulk_add_workplaces(actor=coordinator, names=["Bendigo Health", "x" * 300, "Ok Hospital", "y"], region="VIC")
    assert exc.value.messages[0].startswith("Line 2:")
    assert exc.value.messages[1].startswith("Line 4:")
    assert not Workplace.objects.exists()
    assert not AuditEvent.objects.filter(action="directory.workplace.bulk_added").exists()


def test_bulk_add_refuses_more_than_the_limit(coordinator):
    with pytest.raises(ValidationError):
        bulk_add_workplaces(actor=coordinator, names=[f"Hospital {n}" for n in range(BULK_MAX_LINES + 1)], region="VIC")
    assert not Workplace.objects.exists()
