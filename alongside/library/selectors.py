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


def crisis_lines_for_region(region: str) -> list[CrisisLine]:
    rows = Resource.objects.filter(is_crisis=True, region__in={region, Region.NATIONAL}).order_by("position", "title")
    return [CrisisLine(title=r.title, phone=r.phone, url=r.url, description=r.description) for r in rows]


def search_resources(*, query: str = "", category: str = "", region: str = "") -> QuerySet[Resource]:
    qs = Resource.objects.all()
    if category:
        qs = qs.filter(category=category)
    if region:
        qs = qs.filter(region__in={region, Region.NATIONAL})
    for word in query.split()[:8]:
        qs = qs.filter(Q(title__icontains=word) | Q(description__icontains=word))
    return qs.order_by("category", "position", "title")
