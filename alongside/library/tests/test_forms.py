import pytest

from alongside.library.forms import LINK_OR_PHONE, ResourceForm
from alongside.library.models import Category

pytestmark = pytest.mark.django_db


def _data(**overrides):
    data = {
        "title": "Lifeline",
        "description": "Crisis support, day and night.",
        "url": "https://www.lifeline.org.au",
        "phone": "13 11 14",
        "category": Category.CRISIS,
        "region": "AU",
        "is_crisis": "on",
        "position": "1",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_a_complete_resource_is_valid():
    form = ResourceForm(_data())
    assert form.is_valid(), form.errors


def test_a_missing_link_and_phone_is_shown_against_both_fields():
    form = ResourceForm(_data(url="", phone="", is_crisis=None))
    assert not form.is_valid()
    assert form.errors["url"] == [LINK_OR_PHONE]
    assert form.errors["phone"] == [LINK_OR_PHONE]
    assert not form.non_field_errors()


def test_a_crisis_line_without_a_phone_number_is_a_phone_error():
    form = ResourceForm(_data(phone=""))
    assert not form.is_valid()
    assert form.errors["phone"] == ["A crisis line needs a phone number."]
    assert not form.non_field_errors()


def test_it_refuses_a_10_kb_title_with_a_clear_message():
    form = ResourceForm(_data(title="x" * 10_240))
    assert not form.is_valid()
    assert "at most 160 characters" in form.errors["title"][0]


@pytest.mark.parametrize("url", ["javascript:alert(1)", "ftp://example.org/file", "not a link"])
def test_it_accepts_only_web_links(url):
    form = ResourceForm(_data(url=url))
    assert not form.is_valid()
    assert "url" in form.errors


def test_a_link_without_a_scheme_becomes_https():
    form = ResourceForm(_data(url="www.lifeline.org.au"))
    assert form.is_valid(), form.errors
    assert form.cleaned_data["url"] == "https://www.lifeline.org.au"


@pytest.mark.parametrize("phone", ["call us", "13 11 14 ext. 2", "12"])
def test_it_refuses_phone_numbers_that_cannot_be_dialled(phone):
    form = ResourceForm(_data(phone=phone))
    assert not form.is_valid()
    assert "phone" in form.errors


def test_it_tidies_spaces_in_titles_and_phone_numbers():
    form = ResourceForm(_data(title="  Lifeline   Australia ", phone=" 13  11 14 "))
    assert form.is_valid(), form.errors
    assert form.cleaned_data["title"] == "Lifeline Australia"
    assert form.cleaned_data["phone"] == "13 11 14"
