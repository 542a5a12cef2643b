"""Debriefs supporters have asked for after a hard contact: take one ("I'll call them"), then mark it done."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_GET, require_POST

from alongside.audit.access import AuthedRequest, coordinator_required
from alongside.console.views import page
from alongside.lib.views import attempt
from alongside.safety import selectors, services
from alongside.safety.access import get_debrief


@coordinator_required
@require_GET
def debrief_list(request: AuthedRequest) -> HttpResponse:
    return page(
        request,
        "console/debriefs.html",
        {"waiting": list(selectors.open_debriefs()), "done": list(selectors.recent_debriefs())},
        section="debriefs",
    )


@coordinator_required
@require_POST
def debrief_take(request: AuthedRequest, pk: int) -> HttpResponse:
    found = get_debrief(request, pk)
    attempt(
        request,
        lambda: services.take_debrief(coordinator=request.user, debrief_id=found.pk, request=request),
        done="You have taken it: call them when you can, then mark it done.",
    )
    return redirect("console:debriefs")


@coordinator_required
@require_POST
def debrief_done(request: AuthedRequest, pk: int) -> HttpResponse:
    found = get_debrief(request, pk)
    attempt(
        request,
        lambda: services.finish_debrief(coordinator=request.user, debrief_id=found.pk, request=request),
        done="Marked done.",
    )
    return redirect("console:debriefs")
