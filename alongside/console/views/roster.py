"""The roster, as coordinators plan it: weekly patterns, the coming shifts with one-off changes, coverage and the
list of changes. Every change goes through ``roster.services`` (audited there).

Two rotas, one set of screens: the supporters' shifts, and the coordinators' on-call rota (``?rota=on_call`` on the
list, coverage, changes and the two "add" forms; a pattern or shift carries its own rota)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from alongside.audit.access import AuthedRequest, coordinator_required
from alongside.console.views import page
from alongside.lib.time import now, place
from alongside.lib.views import attempt, posted
from alongside.roster import selectors, services
from alongside.roster.access import get_pattern, get_shift, get_shift_place
from alongside.roster.forms import EndPatternForm, OneOffShiftForm, PatternForm, PlaceForm, RoleForm
from alongside.roster.models import Role, Rota, Shift, ShiftPattern
from alongside.service.selectors import current_settings

SECTION = "roster"
UPCOMING_DAYS = 14


def _rota(request: HttpRequest) -> str:
    """The rota a list or an "add" form is about: ``?rota=on_call``, else the supporters' shifts."""
    return Rota.ON_CALL if request.GET.get("rota") == Rota.ON_CALL else Rota.SUPPORT


def _query(rota: str) -> str:
    return f"?rota={Rota.ON_CALL}" if rota == Rota.ON_CALL else ""


def _rota_context(rota: str) -> dict[str, Any]:
    """What every roster screen needs to show and keep its rota (the switch in ``_tabs.html``)."""
    return {"rota": rota, "on_call": rota == Rota.ON_CALL, "rota_query": _query(rota), "rota_label": Rota(rota).label}


def _back_to_roster(rota: str) -> HttpResponse:
    return redirect(reverse("console:roster") + _query(rota))


def _pattern_fields(data: dict[str, Any]) -> dict[str, Any]:
    keys = ("weekday", "starts", "ends", "primary_places", "backup_places", "valid_from", "valid_until")
    return {k: data[k] for k in keys} | {"primary": list(data["primary"]), "backup": list(data["backup"])}


@coordinator_required
def roster(request: AuthedRequest) -> HttpResponse:
    """The weekly patterns and the next two weeks' shifts of one rota, with how many places each has filled."""
    rota = _rota(request)
    zone = current_settings().time_zone
    at = now()
    shifts = (
        Shift.objects.filter(rota=rota, ends_at__gt=at, starts_at__lt=at + dt.timedelta(days=UPCOMING_DAYS))
        .prefetch_related("places")
        .order_by("starts_at", "id")
    )
    rows = [
        {
            "shift": s,
            "text": selectors.span_text(s.starts_at, s.ends_at, zone),
            "primary": sum(1 for p in s.places.all() if p.role == Role.PRIMARY),
            "backup": sum(1 for p in s.places.all() if p.role == Role.BACKUP),
            "cover": sum(1 for p in s.places.all() if p.cover_wanted_at),
        }
        for s in shifts
    ]
    patterns = (
        ShiftPattern.objects.filter(rota=rota)
        .prefetch_related("places__supporter__profile")
        .order_by("weekday", "starts")
    )
    return page(
        request,
        "console/roster/index.html",
        {
            "patterns": patterns,
            "rows": rows,
            "zone": place(zone),
            "today": at.astimezone(selectors.service_zone()).date(),
            **_rota_context(rota),
        },
        section=SECTION,
    )


@coordinator_required
@require_http_methods(["GET", "POST"])
def pattern_add(request: AuthedRequest) -> HttpResponse:
    rota = _rota(request)
    form = PatternForm(
        posted(request), initial={"valid_from": now().astimezone(selectors.service_zone()).date()}, rota=rota
    )
    if form.is_bound and form.is_valid():
        made = attempt(
            request,
            lambda: services.create_pattern(
                actor=request.user, request=request, rota=rota, **_pattern_fields(form.cleaned_data)
            ),
            form=form,
        )
        if made is not None:
            messages.success(request, "The pattern is saved and its shifts for the next four weeks are made.")
            return _back_to_roster(rota)
    return page(
        request,
        "console/roster/pattern_form.html",
        {"form": form, "zone": _zone_place(), **_rota_context(rota)},
        section=SECTION,
    )


def _zone_place() -> str:
    return place(current_settings().time_zone)


@coordinator_required
@require_http_methods(["GET", "POST"])
def pattern_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    pattern = get_pattern(request, pk)
    places = list(pattern.places.all())
    initial = {
        "weekday": pattern.weekday,
        "starts": pattern.starts,
        "ends": pattern.ends,
        "primary_places": pattern.primary_places,
        "backup_places": pattern.backup_places,
        "valid_from": pattern.valid_from,
        "valid_until": pattern.valid_until,
        "primary": [p.supporter_id for p in places if p.role == Role.PRIMARY],
        "backup": [p.supporter_id for p in places if p.role == Role.BACKUP],
    }
    form = PatternForm(posted(request), initial=initial, rota=pattern.rota)
    if form.is_bound and form.is_valid():
        saved = attempt(
            request,
            lambda: services.update_pattern(
                actor=request.user, pattern=pattern, request=request, **_pattern_fields(form.cleaned_data)
            ),
            form=form,
        )
        if saved is not None:
            messages.success(request, "The pattern is saved. Shifts changed by hand keep their changes.")
            return _back_to_roster(pattern.rota)
    end_form = EndPatternForm(initial={"last_day": now().astimezone(selectors.service_zone()).date()})
    return page(
        request,
        "console/roster/pattern_form.html",
        {"form": form, "pattern": pattern, "end_form": end_form, "zone": _zone_place(), **_rota_context(pattern.rota)},
        section=SECTION,
    )


@coordinator_required
@require_POST
def pattern_end(request: AuthedRequest, pk: int) -> HttpResponse:
    pattern = get_pattern(request, pk)
    form = EndPatternForm(request.POST)
    if form.is_valid():
        services.end_pattern(
            actor=request.user, pattern=pattern, last_day=form.cleaned_data["last_day"], request=request
        )
        messages.success(
            request, "The pattern ends on that day. Its later shifts are gone, except those changed by hand."
        )
        return _back_to_roster(pattern.rota)
    messages.error(request, "Give the pattern's last day.")
    return redirect("console:roster_pattern", pk=pattern.pk)


@coordinator_required
@require_http_methods(["GET", "POST"])
def shift_add(request: AuthedRequest) -> HttpResponse:
    rota = _rota(request)
    form = OneOffShiftForm(
        posted(request), initial={"day": now().astimezone(selectors.service_zone()).date()}, rota=rota
    )
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        made = attempt(
            request,
            lambda: services.add_one_off_shift(
                actor=request.user,
                starts_at=data["starts_at"],
                ends_at=data["ends_at"],
                primary_places=data["primary_places"],
                backup_places=data["backup_places"],
                primary=list(data["primary"]),
                backup=list(data["backup"]),
                rota=rota,
                request=request,
            ),
            form=form,
        )
        if made is not None:
            messages.success(request, "The one-off shift is added.")
            return redirect("console:roster_shift", pk=made.pk)
    return page(
        request,
        "console/roster/shift_form.html",
        {"form": form, "zone": _zone_place(), **_rota_context(rota)},
        section=SECTION,
    )


@coordinator_required
def shift_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    """One dated shift: its places, with adding, removing and changing a place, and cancelling the shift."""
    shift = get_shift(request, pk)
    places = list(shift.places.select_related("supporter__profile").order_by("role", "id"))
    return page(
        request,
        "console/roster/shift.html",
        {
            "shift": shift,
            "text": selectors.span_text(shift.starts_at, shift.ends_at, current_settings().time_zone),
            "zone": _zone_place(),
            "places": places,
            "place_form": PlaceForm(exclude=[p.supporter_id for p in places], rota=shift.rota),
            "roles": Role.choices,
            **_rota_context(shift.rota),
        },
        section=SECTION,
    )


@coordinator_required
@require_POST
def shift_cancel(request: AuthedRequest, pk: int) -> HttpResponse:
    shift = get_shift(request, pk)
    if services.cancel_shift(actor=request.user, shift=shift, request=request):
        messages.success(request, "The shift is cancelled. Its supporters see it as cancelled.")
    else:
        messages.error(request, "This shift was already cancelled.")
    return redirect("console:roster_shift", pk=shift.pk)


@coordinator_required
@require_POST
def place_add(request: AuthedRequest, pk: int) -> HttpResponse:
    shift = get_shift(request, pk)
    form = PlaceForm(request.POST, exclude=list(shift.places.values_list("supporter_id", flat=True)), rota=shift.rota)
    if form.is_valid():
        attempt(
            request,
            lambda: services.add_place(
                actor=request.user,
                shift=shift,
                supporter=form.cleaned_data["supporter"],
                role=form.cleaned_data["role"],
                request=request,
            ),
            done="The place is added.",
        )
    elif shift.rota == Rota.ON_CALL:
        messages.error(request, "Choose a coordinator who has no place on this shift, and primary or backup.")
    else:
        messages.error(request, "Choose a supporter who has no place on this shift, and primary or backup.")
    return redirect("console:roster_shift", pk=shift.pk)


@coordinator_required
@require_POST
def place_remove(request: AuthedRequest, pk: int) -> HttpResponse:
    place = get_shift_place(request, pk)
    services.remove_place(actor=request.user, place=place, request=request)
    messages.success(request, "The place is removed from this shift.")
    return redirect("console:roster_shift", pk=place.shift_id)


@coordinator_required
@require_POST
def place_role(request: AuthedRequest, pk: int) -> HttpResponse:
    place = get_shift_place(request, pk)
    form = RoleForm(request.POST)
    if form.is_valid():
        services.change_place_role(actor=request.user, place=place, role=form.cleaned_data["role"], request=request)
        messages.success(request, "The place is changed.")
    else:
        messages.error(request, "Choose primary or backup.")
    return redirect("console:roster_shift", pk=place.shift_id)


@coordinator_required
def coverage(request: AuthedRequest) -> HttpResponse:
    """The next 14 days of one rota, hour by hour within opening hours, with every uncovered hour named."""
    rota = _rota(request)
    days = selectors.coverage(rota=rota)
    return page(
        request,
        "console/roster/coverage.html",
        {
            "days": days,
            "zone": _zone_place(),
            "gap_count": sum(len(d.gaps) for d in days),
            "backup_gap_count": sum(len(d.backup_gaps) for d in days),
            "only_gaps": request.GET.get("show") != "all",
            **_rota_context(rota),
        },
        section=SECTION,
    )


@coordinator_required
def changes(request: AuthedRequest) -> HttpResponse:
    rota = _rota(request)
    return page(
        request,
        "console/roster/changes.html",
        {"changes": selectors.recent_changes(rota=rota), "zone": current_settings().time_zone, **_rota_context(rota)},
        section=SECTION,
    )
