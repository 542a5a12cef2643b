"""Reads about supporters: their load and the coordinators' list."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

from alongside.connections.models import Connection, ConnectionStatus, Offer, OfferStatus
from alongside.supporters.models import SupporterProfile


@dataclass(frozen=True)
class Load:
    capacity: int
    active: int
    pending_offers: int

    @property
    def left(self) -> int:
        return max(self.capacity - self.active - self.pending_offers, 0)


def load_of(profile: SupporterProfile) -> Load:
    return Load(
        capacity=profile.capacity,
        active=Connection.objects.filter(supporter=profile, status=ConnectionStatus.ACTIVE).count(),
        pending_offers=Offer.objects.filter(supporter=profile, status=OfferStatus.PENDING).count(),
    )


def supporters_with_load() -> QuerySet[SupporterProfile]:
    return (
        SupporterProfile.objects.filter(user__is_supporter=True)
        .select_related("user__profile")
        .annotate(
            active_load=Count("connections", filter=Q(connections__status=ConnectionStatus.ACTIVE), distinct=True),
            pending_offers=Count("offers", filter=Q(offers__status=OfferStatus.PENDING), distinct=True),
        )
        .order_by("user__profile__display_name")
    )
