import pytest

from alongside.directory.forms import BulkWorkplaceForm, WorkplaceForm
from tests.factories import WorkplaceFactory

pytestmark = pytest.mark.django_db


def test_a_duplicate_name_is_a_field_error():
    WorkplaceFactory(name="Austin Health")
    form = WorkplaceForm({"name": "austin HEALTH", "region": "VIC"})
    assert not form.is_valid()
    assert form.errors["name"] == ["A workplace with this name is already in the directory."]


def test_the_workplace_being_edited_does_not_count_as_a_duplicate():
    workplace = WorkplaceFactory(name="Austin Health")
    form = WorkplaceForm({"name": "Austin Health", "region": "NSW"}, exclude_pk=workplace.pk)
    assert form.is_valid(), form.errors


def test_a_10_kb_name_is_refused_with_a_clear_message():
    form = WorkplaceForm({"name": "x" * 10_240, "region": "VIC"})
    assert not form.is_valid()
    assert "at most 200 characters" in form.errors["name"][0]


def test_a_name_with_control_characters_is_refused():
    form = WorkplaceForm({"name": "Bad\x00Name", "region": "VIC"})
    assert not form.is_valid()
    assert "name" in form.errors


def test_the_bulk_form_gives_the_cleaned_names_in_order():
    form = BulkWorkplaceForm({"names": "  Eastern   Health\r\n\r\nAlfred Health\n", "region": "VIC"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["names"] == ["Eastern Health", "Alfred Health"]


def test_the_bulk_form_names_each_bad_line():
    form = BulkWorkplaceForm({"names": "Eastern Health\nx\n" + "y" * 201, "region": "VIC"})
    assert not form.is_valid()
    assert form.errors["names"][0].startswith("Line 2:")
    assert form.errors["names"][1].startswith("Line 3:")


def test_the_bulk_form_needs_at_least_one_name():
    form = BulkWorkplaceForm({"names": "\n \n", "region": "VIC"})
    assert not form.is_valid()
    assert "names" in form.errors
