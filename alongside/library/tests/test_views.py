"""The library's pages: open to everyone for crisis lines and public resources; private ones behind sign-in."""

import pytest
from django.urls import reverse

from alongside.library.models import Category, Resource
from alongside.service.selectors import forget_snapshot
from tests.factories import ResourceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def shelf():
    """A crisis line, a public resource and a private one (for members only)."""
    made = {
        "crisis": Resource.objects.create(
            title="Lifeline", phone="13 11 14", category=Category.CRISIS, is_crisis=True, position=1
        ),
        "public": ResourceFactory(title="Hand-n-Hand Peer Support", is_public=True),
        "private": ResourceFactory(title="Ward debrief roster line", description="Internal roster contacts."),
    }
    forget_snapshot()
    return made


def test_visitors_read_crisis_lines_and_public_resources_without_an_account(client, shelf):
    response = client.get(reverse("library:index"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Lifeline" in body and "Hand-n-Hand Peer Support" in body
    assert "Ward debrief roster line" not in body and "Internal roster contacts" not in body
    assert "Sign in</a> to see everything" in body


def test_visitors_cannot_find_a_private_resource_by_searching(client, shelf):
    body = client.get(reverse("library:index"), {"q": "debrief"}).content.decode()
    assert "Ward debrief roster line" not in body
    assert "No resources match." in body and "the word “debrief”" in body


def test_signed_in_people_see_private_resources_too(member_client, shelf):
    body = member_client.get(reverse("library:index")).content.decode()
    assert "Ward debrief roster line" in body and "Hand-n-Hand Peer Support" in body
    assert "to see everything" not in body


def test_a_private_resources_page_sends_a_visitor_to_sign_in(client, shelf):
    url = reverse("library:detail", args=[shelf["private"].pk])
    response = client.get(url)
    assert response.status_code == 302
    assert response.url == f"{reverse('account_login')}?next={url}"


def test_public_resources_and_crisis_lines_have_pages_for_everyone(client, member_client, shelf):
    for key in ("public", "crisis"):
        response = client.get(reverse("library:detail", args=[shelf[key].pk]))
        assert response.status_code == 200 and shelf[key].title in response.content.decode()
    response = member_client.get(reverse("library:detail", args=[shelf["private"].pk]))
    assert response.status_code == 200 and "Internal roster contacts" in response.content.decode()


def test_an_unknown_resource_is_a_404(client):
    assert client.get(reverse("library:detail", args=[987654])).status_code == 404


def test_an_empty_result_says_what_was_searched_with_the_crisis_lines_beside_it(member_client, shelf):
    body = member_client.get(reverse("library:index"), {"q": "quokka xylophones"}).content.decode()
    assert "No resources match." in body
    assert (
        "We looked for any of the words “quokka xylophones”, in each resource's title, description and category."
        in body
    )
    beside = body[body.index('class="empty-result"') :]
    assert "If you need help now" in beside and "Lifeline" in beside and 'href="tel:131114"' in beside
