"""Reads of the resource library."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet

from alongside.directory.models import Region
from alongside.library.models import Resource

if TYPE_CHECKING:
    from alongside.service.selectors import CrisisLine


def crisis_lines_for_region(region: str) -> list[CrisisLine]:
    from alongside.service.selectors import CrisisLine

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
