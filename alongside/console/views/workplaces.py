"""The directory of workplaces: list, add (one or many), edit, deactivate and reactivate."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_http_methods, require_POST

from alongside.audit.access import AuthedRequest, coordinator_required
from alongside.console.forms import ActiveForm
from alongside.console.selectors import search_workplaces
from alongside.console.views import page, paginate
from alongside.directory.access import get_workplace
from alongside.directory.forms import BulkWorkplaceForm, WorkplaceFilterForm, WorkplaceForm
from alongside.directory.services import (
    bulk_add_workplaces,
    create_workplace,
    set_workplace_active,
    update_workplace,
)
from alongside.lib.views import attempt, posted


@coordinator_required
def workplace_list(request: AuthedRequest) -> HttpResponse:
    form = WorkplaceFilterForm(request.GET or None)
    data: dict[str, Any] = form.cleaned_data if form.is_valid() else {}
    results = search_workplaces(query=data.get("q", ""), region=data.get("region", ""), status=data.get("status", ""))
    return page(
        request,
        "console/workplaces/list.html",
        {"form": form, "page": paginate(request, results), "filtered": bool(data and any(data.values()))},
        section="workplaces",
    )


@coordinator_required
@require_http_methods(["GET", "POST"])
def workplace_add(request: AuthedRequest) -> HttpResponse:
    form = WorkplaceForm(posted(request))
    if form.is_bound and form.is_valid():
        workplace = attempt(
            request, lambda: create_workplace(actor=request.user, request=request, **form.cleaned_data), form=form
        )
        if workplace is not None:
            messages.success(request, f"Added {workplace.name} to the directory.")
            return redirect("console:workplaces")
    return page(request, "console/workplaces/form.html", {"form": form}, section="workplaces")


@coordinator_required
@require_http_methods(["GET", "POST"])
def workplace_bulk_add(request: AuthedRequest) -> HttpResponse:
    form = BulkWorkplaceForm(posted(request))
    if form.is_bound and form.is_valid():
        result = attempt(
            request,
            lambda: bulk_add_workplaces(
                actor=request.user,
                names=form.cleaned_data["names"],
                region=form.cleaned_data["region"],
                request=request,
            ),
            form=form,
            field="names",
        )
        if result is not None:
            added = len(result.added)
            messages.success(request, f"Added {added} workplace{'' if added == 1 else 's'}.")
            if result.skipped:
                return page(request, "console/workplaces/bulk_done.html", {"result": result}, section="workplaces")
            return redirect("console:workplaces")
    return page(request, "console/workplaces/bulk.html", {"form": form}, section="workplaces")


@coordinator_required
@require_http_methods(["GET", "POST"])
def workplace_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    workplace = get_workplace(request, pk)
    if request.method == "POST":
        form = WorkplaceForm(request.POST, exclude_pk=workplace.pk)
    else:
        form = WorkplaceForm(initial={"name": workplace.name, "region": workplace.region}, exclude_pk=workplace.pk)
    if form.is_bound and form.is_valid():
        saved = attempt(
            request,
            lambda: update_workplace(actor=request.user, workplace=workplace, request=request, **form.cleaned_data),
            form=form,
        )
        if saved is not None:
            messages.success(request, f"Saved {form.cleaned_data['name']}.")
            return redirect("console:workplaces")
    return page(request, "console/workplaces/form.html", {"form": form, "workplace": workplace}, section="workplaces")


@coordinator_required
@require_POST
def workplace_active(request: AuthedRequest, pk: int) -> HttpResponse:
    workplace = get_workplace(request, pk)
    form = ActiveForm(request.POST)
    if not form.is_valid():
        messages.error(request, "That change wasn't understood; nothing was changed.")
        return redirect("console:workplace_edit", pk=workplace.pk)
    active = form.cleaned_data["active"]
    if set_workplace_active(actor=request.user, workplace=workplace, active=active, request=request):
        if active:
            messages.success(request, f"{workplace.name} is active again and offered on profiles.")
        else:
            messages.success(request, f"{workplace.name} is deactivated: kept on existing profiles, no longer offered.")
    return redirect("console:workplace_edit", pk=workplace.pk)
