"""The coordinator console's views, one module per area. Every view is for coordinators only."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme

PER_PAGE = 50


def page(
    request: HttpRequest, template: str, context: dict[str, Any] | None = None, *, section: str, status: int = 200
) -> HttpResponse:
    """Render a console page; ``section`` marks the current entry in the console's navigation."""
    return render(request, template, {**(context or {}), "section": section}, status=status)


def paginate(request: HttpRequest, qs: QuerySet[Any]) -> Page[Any]:
    return Paginator(qs, PER_PAGE).get_page(request.GET.get("page"))


def console_next(request: HttpRequest, default: str) -> str:
    """Where to go after a form: ``?next=`` when it is a console page on this site, else ``default``."""
    nxt = request.GET.get("next", "")
    if nxt.startswith("/console/") and url_has_allowed_host_and_scheme(nxt, allowed_hosts={request.get_host()}):
        return nxt
    return default
