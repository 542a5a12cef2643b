"""Swap and cover: a supporter offers a place, another takes it; the first taker wins, the rest are told kindly."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from alongside.audit.models import AuditEvent
from alongside.lib.time import now
from alongside.notifications.models import Kind, Notification
from alongside.roster import services
from alongside.roster.models import ShiftPlace
from alongside.roster.selectors import cover_board, recent_changes
from tests import factories

pytestmark = pytest.mark.django_db


def _later_shift(holder, **kwargs):  # type: ignore[no-untyped-def]
    return factories.shift(starts_at=now() + dt.timedelta(days=2), primary=[holder], **kwargs)


def test_an_offered_place_moves_to_the_first_taker_and_its_holder_is_told(supporter, client):
    taker, late = factories.supporter(display_name="Tara"), factories.supporter()
    shift = _later_shift(supporter)
    place = shift.places.get()
    assert services.offer_cover(supporter=supporter, place=place)
    assert [p.pk for p in cover_board(taker.pk)] == [place.pk]
    assert cover_board(supporter.pk) == []  # not one's own

    client.force_login(taker)
    response = client.post(reverse("roster:take", args=[place.pk]), follow=True)
    assert "The place is yours" in response.content.decode()
    place.refresh_from_db()
    assert (place.supporter_id, place.cover_wanted_at) == (taker.pk, None)
    note = Notification.objects.get(user=supporter)
    assert note.kind == Kind.COVER_TAKEN and note.link == "/shifts/"
    assert "Tara" not in note.get_kind_display()

    client.force_login(late)
    response = client.post(reverse("roster:take", args=[place.pk]), follow=True)
    assert response.status_code == 200
    assert "Someone else took that place" in response.content.decode()
    place.refresh_from_db()
    assert place.supporter_id == taker.pk

    change = recent_changes()[0]
    assert (change.what, change.who) == ("took a place offered for cover", "Tara")
    assert AuditEvent.objects.filter(action="roster.cover.taken", actor_id=taker.pk).count() == 1


def test_a_supporter_cannot_take_a_place_on_a_shift_they_already_hold(supporter):
    other = factories.supporter()
    shift = factories.shift(starts_at=now() + dt.timedelta(days=1), primary=[supporter], backup=[other])
    place = shift.places.get(supporter=supporter)
    services.offer_cover(supporter=supporter, place=place)
    assert cover_board(other.pk) == []
    with pytest.raises(ValidationError, match="already hold a place"):
        services.take_cover(taker=other, place_id=place.pk)
    assert ShiftPlace.objects.get(pk=place.pk).supporter_id == supporter.pk


def test_a_withdrawn_offer_cannot_be_taken(supporter):
    taker = factories.supporter()
    place = _later_shift(supporter).places.get()
    services.offer_cover(supporter=supporter, place=place)
    assert services.withdraw_cover(supporter=supporter, place=place)
    with pytest.raises(services.CoverGone):
        services.take_cover(taker=taker, place_id=place.pk)
    assert not services.withdraw_cover(supporter=supporter, place=place)


def test_offering_a_place_of_someone_else_is_a_404(supporter, client):
    other = factories.supporter()
    place = _later_shift(other).places.get()
    client.force_login(supporter)
    assert client.post(reverse("roster:offer", args=[place.pk])).status_code == 404
    assert ShiftPlace.objects.get(pk=place.pk).cover_wanted_at is None
    assert AuditEvent.objects.filter(action="roster.place.view", outcome="denied").exists()


def test_the_sequence_of_two_takers_has_one_winner_even_from_stale_pages(supporter):
    first, second = factories.supporter(), factories.supporter()
    place = _later_shift(supporter).places.get()
    services.offer_cover(supporter=supporter, place=place)
    services.take_cover(taker=first, place_id=place.pk)
    with pytest.raises(services.CoverGone):
        services.take_cover(taker=second, place_id=place.pk)
    assert Notification.objects.filter(user=supporter, kind=Kind.COVER_TAKEN).count() == 1
