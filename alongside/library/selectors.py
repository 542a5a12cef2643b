"""Reads of the resource library."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q, QuerySet

from alongside.directory.models import Region
from alongside.library.models import Resource


@dataclass(frozen=True)
class CrisisLine:
    """A crisis resource as every page's crisis strip shows it."""

    title: str
    phone: str
    url: str
    description: str


def crisis_resources(region: str) -> QuerySet[Resource]:
    """The crisis lines the strip shows for ``region`` (and Australia-wide ones), in the strip's order."""
    return Resource.objects.filter(is_crisis=True, region__in={region, Region.NATIONAL}).order_by("position", "title")


def crisis_lines_for_region(region: str) -> list[CrisisLine]:
    return [
        CrisisLine(title=r.title, phone=r.phone, url=r.url, description=r.description) for r in crisis_resources(region)
    ]


WORDS = 8
"""More search words than this are ignored."""


def search_resources(
    *, query: str = "", category: str = "", region: str = "", exact_region: bool = False, crisis_only: bool = False
) -> QuerySet[Resource]:
    """Resources narrowed by words, category and region.

    A member's region takes in the Australia-wide resources too; the coordinators' console asks
    for ``exact_region`` (that region alone) and may ask for crisis lines only.
    """
    qs = Resource.objects.all()
    if category:
        qs = qs.filter(category=category)
    if region:
        qs = qs.filter(region=region) if exact_region else qs.filter(region__in={region, Region.NATIONAL})
    if crisis_only:
        qs = qs.filter(is_crisis=True)
    for word in query.split()[:WORDS]:
        qs = qs.filter(Q(title__icontains=word) | Q(description__icontains=word))
    return qs.order_by("category", "position", "title")
