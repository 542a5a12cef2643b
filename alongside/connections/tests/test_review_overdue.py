"""Overdue review points: a review point still unanswered by both sides REVIEW_OVERDUE_DAYS after it fell due is
shown to both sides and to the coordinators, told once, and holds back new session proposals until answered."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from alongside.connections import tasks
from alongside.connections.models import REVIEW_OVERDUE_DAYS, ReviewChoice
from alongside.connections.selectors import overdue_reviews
from alongside.connections.services import answer_review
from alongside.connections.tests import factories as cf
from alongside.conversations.services import get_or_create_thread_for_connection
from alongside.meetings import services as meetings
from alongside.notifications.models import Kind, Notification

pytestmark = pytest.mark.django_db


@pytest.fixture
def due(member, supporter, clock):  # type: ignore[no-untyped-def]
    """A connection whose review point falls due now, announced to both sides by the hourly task."""
    made = cf.connection(member, supporter, review_due_at=clock.at)
    assert tasks.announce_reviews.call_local() == 1
    made.refresh_from_db()
    return made


def _signed_in(user):  # type: ignore[no-untyped-def]
    """A client signed in now: a session made before the clock moved on has ended since."""
    client = Client()
    client.force_login(user)
    return client


def _overdue_notes() -> list[tuple[int, str]]:
    return sorted(Notification.objects.filter(kind=Kind.REVIEW_OVERDUE).values_list("user_id", "link"))


def test_a_review_point_is_overdue_only_after_the_grace_days(due, clock):
    clock.advance(days=REVIEW_OVERDUE_DAYS, seconds=-1)
    due.refresh_from_db()
    assert due.review_is_due() and not due.review_is_overdue()
    assert tasks.announce_reviews.call_local() == 0
    clock.advance(seconds=1)
    assert due.review_is_overdue()
    assert [row.connection_id for row in overdue_reviews()] == [due.pk]


def test_both_sides_are_told_once_when_it_becomes_overdue(due, member, supporter, clock):
    clock.advance(days=REVIEW_OVERDUE_DAYS, hours=1)
    assert tasks.announce_reviews.call_local() == 1
    link = reverse("connections:connection_review", kwargs={"pk": due.pk})
    assert _overdue_notes() == sorted([(member.pk, link), (supporter.pk, link)])
    clock.advance(days=3)
    assert tasks.announce_reviews.call_local() == 0
    assert len(_overdue_notes()) == 2


def test_both_continuing_ends_the_overdue_state_and_the_next_point_can_be_told_again(due, member, supporter, clock):  # type: ignore[no-untyped-def]
    clock.advance(days=REVIEW_OVERDUE_DAYS + 1)
    tasks.announce_reviews.call_local()
    answer_review(connection=due, actor=member, choice=ReviewChoice.CONTINUE)
    due.refresh_from_db()
    assert due.review_is_overdue()  # one side answered: still overdue, waiting for the supporter
    assert overdue_reviews()[0].waiting_for == "supporter"
    answer_review(connection=due, actor=supporter, choice=ReviewChoice.CONTINUE)
    due.refresh_from_db()
    assert not due.review_is_overdue() and due.review_overdue_notified_at is None
    assert overdue_reviews() == []


def test_the_banner_shows_on_both_sides_connection_and_thread_pages(due, member, supporter, clock):
    thread = get_or_create_thread_for_connection(connection=due)
    pages = [
        reverse("connections:connection_detail", kwargs={"pk": due.pk}),
        reverse("conversations:thread", kwargs={"pk": thread.pk}),
    ]
    for client in (_signed_in(member), _signed_in(supporter)):
        for path in pages:
            page = client.get(path).content.decode()
            assert "Messages with" in page or "Your peer" in page or "Supporting" in page
            assert "data-review-overdue" not in page
    clock.advance(days=REVIEW_OVERDUE_DAYS + 1)
    for client in (_signed_in(member), _signed_in(supporter)):
        for path in pages:
            page = client.get(path).content.decode()
            assert "data-review-overdue" in page and "Your review is overdue: take two minutes" in page


def test_the_side_that_answered_is_told_it_waits_for_the_other(due, member, clock):
    clock.advance(days=REVIEW_OVERDUE_DAYS + 1)
    answer_review(connection=due, actor=member, choice=ReviewChoice.CONTINUE)
    page = _signed_in(member).get(reverse("connections:connection_detail", kwargs={"pk": due.pk})).content.decode()
    assert "data-review-overdue" in page and "we are still waiting for Bob" in page


def test_new_session_proposals_are_refused_while_overdue(due, member, clock):
    starts = clock.at + dt.timedelta(days=REVIEW_OVERDUE_DAYS + 3)
    clock.advance(days=REVIEW_OVERDUE_DAYS + 1)
    with pytest.raises(ValidationError, match="review point is overdue"):
        meetings.propose(connection=due, actor=member, starts_at=starts, minutes=45, medium="chat")
    page = _signed_in(member).get(reverse("meetings:session_propose", kwargs={"pk": due.pk})).content.decode()
    assert "data-review-overdue" in page


def test_proposals_are_taken_again_once_both_have_answered(due, member, supporter, clock):
    clock.advance(days=REVIEW_OVERDUE_DAYS + 1)
    answer_review(connection=due, actor=member, choice=ReviewChoice.CONTINUE)
    answer_review(connection=due, actor=supporter, choice=ReviewChoice.CONTINUE)
    due.refresh_from_db()
    made = meetings.propose(
        connection=due, actor=member, starts_at=clock.at + dt.timedelta(days=2), minutes=45, medium="chat"
    )
    assert made.pk is not None


def test_coordinators_see_who_and_since_when_by_display_name(due, coordinator, clock):
    clock.advance(days=REVIEW_OVERDUE_DAYS + 2)
    page = _signed_in(coordinator).get(reverse("console:reviews_overdue")).content.decode()
    assert f'data-overdue-connection="{due.pk}"' in page
    assert "Alice" in page and "Bob" in page and "Both" in page
    assert due.member.email not in page and due.supporter.user.email not in page


def test_a_closed_connection_is_never_overdue(due, member, clock):
    answer_review(connection=due, actor=member, choice=ReviewChoice.CLOSE)
    clock.advance(days=REVIEW_OVERDUE_DAYS + 1)
    assert tasks.announce_reviews.call_local() == 0
    assert overdue_reviews() == []
