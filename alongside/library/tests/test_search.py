"""Searching the library: every word, across title, description and category, best matches first."""

import pytest

from alongside.library.models import Category
from alongside.library.selectors import search_resources, search_words
from tests.factories import ResourceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def library():
    """A small library shaped like the demo one."""
    rows = [
        ("RACP Support Program", "Free, confidential 24-hour support for physicians and trainees.", Category.TRAINING),
        ("ACEM: trainee and member wellbeing", "Wellbeing resources and support for trainees.", Category.TRAINING),
        ("Black Dog Institute", "Online tools for depression, anxiety and burnout.", Category.COUNSELLING),
        (
            "Victorian Doctors Health Program",
            "Help with stress, mental health and substance use.",
            Category.DOCTORS_HEALTH,
        ),
        ("Hand-n-Hand Peer Support", "Peer support groups for health professionals.", Category.PEER_SUPPORT),
        ("Burnout in medicine: a reading list", "Books and articles.", Category.READING),
        ("MIGA", "Medical defence organisation: medico-legal advice.", Category.LEGAL),
        ("Safe Work Australia", "National guidance on workplace violence.", Category.WORKPLACE),
    ]
    return {title: ResourceFactory(title=title, description=text, category=cat) for title, text, cat in rows}


def _titles(**kwargs) -> list[str]:
    return [r.title for r in search_resources(**kwargs)]


def test_exam_stress_finds_the_training_resources_and_stress_help(library):
    found = _titles(query="exam stress")
    assert {"RACP Support Program", "ACEM: trainee and member wellbeing"} <= set(found[:2])  # both words, by category
    assert "Victorian Doctors Health Program" in found  # 'stress' in its description
    assert "MIGA" not in found and "Safe Work Australia" not in found


def test_burnout_finds_every_relevant_resource_with_title_matches_first(library):
    found = _titles(query="burnout")
    assert found[0] == "Burnout in medicine: a reading list"  # in the title
    assert found[1] == "Black Dog Institute"  # in the description
    # Then the kinds of service that help with burnout: doctors' health, peer support, counselling.
    assert {"Victorian Doctors Health Program", "Hand-n-Hand Peer Support"} <= set(found[2:])
    assert "MIGA" not in found and "Safe Work Australia" not in found


def test_more_words_matched_rank_higher(library):
    found = _titles(query="peer support burnout")
    assert found[0] == "Hand-n-Hand Peer Support"


def test_it_ignores_small_words_and_plurals(library):
    assert search_words("Help for my EXAMS, and stress!") == ["help", "exam", "stress"]
    assert search_words("complaints matches injuries bus") == ["complaint", "match", "injury", "bus"]
    assert _titles(query="exams") == _titles(query="exam")


def test_visitors_search_only_crisis_lines_and_public_resources(library):
    library["Black Dog Institute"].is_public = True
    library["Black Dog Institute"].save()
    assert _titles(query="burnout", signed_in=False) == ["Black Dog Institute"]


def test_without_words_it_lists_the_library_in_its_own_order(library):
    assert len(_titles(query="  the and  ")) == len(library)
