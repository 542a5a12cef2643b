"""Supporters as the coordinators see them: the list with each one's load, a profile, pausing new offers."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from alongside.audit.access import AuthedRequest, coordinator_required
from alongside.connections.selectors import load_of, supporters_with_load
from alongside.console.views import page
from alongside.matching.weekly import describe_slots, parse_windows, weekly_slots
from alongside.supporters.access import get_supporter_profile
from alongside.supporters.forms import PauseForm
from alongside.supporters.models import Format
from alongside.supporters.services import set_paused

SECTION = "supporters"


@coordinator_required
def supporter_list(request: AuthedRequest) -> HttpResponse:
    return page(request, "console/supporters/list.html", {"supporters": supporters_with_load()}, section=SECTION)


@coordinator_required
def supporter_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    supporter = get_supporter_profile(request, pk)
    person = getattr(supporter.user, "profile", None)
    time_zone = person.time_zone if person is not None else "UTC"
    times = describe_slots(weekly_slots(parse_windows(supporter.availability), time_zone), time_zone)
    return page(
        request,
        "console/supporters/detail.html",
        {
            "supporter": supporter,
            "person": person,
            "load": load_of(supporter),
            "times": times,
            "formats": [Format(f).label for f in supporter.formats if f in Format.values],
            "pause_form": PauseForm(initial={"action": "pause"}),
        },
        section=SECTION,
    )


@coordinator_required
@require_POST
def supporter_pause(request: AuthedRequest, pk: int) -> HttpResponse:
    supporter = get_supporter_profile(request, pk)
    form = PauseForm(request.POST)
    if form.is_valid():
        paused = form.cleaned_data["action"] == "pause"
        set_paused(
            actor=request.user, profile=supporter, paused=paused, until=form.cleaned_data["until"], request=request
        )
        messages.success(request, "New offers to this supporter are paused." if paused else "New offers resumed.")
    else:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
    return redirect("console:supporter", pk=supporter.pk)
