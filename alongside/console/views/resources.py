"""The resource library: list, add, edit, delete."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from alongside.audit.access import AuthedRequest, coordinator_required
from alongside.console.views import console_next, page, paginate
from alongside.lib.views import attempt, posted
from alongside.library.access import get_resource
from alongside.library.forms import ResourceFilterForm, ResourceForm
from alongside.library.models import Category
from alongside.library.selectors import search_resources
from alongside.library.services import create_resource, delete_resource, update_resource
from alongside.service.selectors import current_settings


@coordinator_required
def resource_list(request: AuthedRequest) -> HttpResponse:
    form = ResourceFilterForm(request.GET or None)
    data: dict[str, Any] = form.cleaned_data if form.is_valid() else {}
    results = search_resources(
        query=data.get("q", ""),
        category=data.get("category", ""),
        region=data.get("region", ""),
        exact_region=True,
        crisis_only=bool(data.get("crisis")),
    )
    return page(
        request,
        "console/resources/list.html",
        {"form": form, "page": paginate(request, results), "filtered": bool(data and any(data.values()))},
        section="resources",
    )


@coordinator_required
@require_http_methods(["GET", "POST"])
def resource_add(request: AuthedRequest) -> HttpResponse:
    initial: dict[str, Any] = {}
    if request.GET.get("crisis") == "1":
        initial = {"is_crisis": True, "category": Category.CRISIS, "region": current_settings().region}
    form = ResourceForm(posted(request), initial=initial)
    if form.is_bound and form.is_valid():
        resource = attempt(
            request, lambda: create_resource(actor=request.user, request=request, **form.cleaned_data), form=form
        )
        if resource is not None:
            messages.success(request, f"Added “{resource.title}” to the library.")
            return redirect(console_next(request, reverse("console:resources")))
    return page(request, "console/resources/form.html", {"form": form}, section="resources")


@coordinator_required
@require_http_methods(["GET", "POST"])
def resource_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    resource = get_resource(request, pk)
    saved_title = resource.title  # the form writes into its instance; the heading keeps the saved title
    form = ResourceForm(posted(request), instance=resource)
    if form.is_bound and form.is_valid():
        saved = attempt(
            request,
            lambda: update_resource(actor=request.user, resource=resource, request=request, **form.cleaned_data),
            form=form,
        )
        if saved is not None:
            messages.success(request, f"Saved “{form.cleaned_data['title']}”.")
            return redirect(console_next(request, reverse("console:resources")))
    return page(
        request,
        "console/resources/form.html",
        {"form": form, "resource_pk": pk, "saved_title": saved_title},
        section="resources",
    )


@coordinator_required
@require_http_methods(["GET", "POST"])
def resource_delete(request: AuthedRequest, pk: int) -> HttpResponse:
    resource = get_resource(request, pk)
    if request.method == "POST":
        title = resource.title
        delete_resource(actor=request.user, resource=resource, request=request)
        messages.success(request, f"Deleted “{title}” from the library.")
        return redirect("console:resources")
    return page(request, "console/resources/delete.html", {"resource": resource}, section="resources")
