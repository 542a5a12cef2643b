"""The supporter's side of the roster: their shifts, the on-shift switch, swap and cover, and the 30-second record.

The first line of each view that takes an id is an access check (``roster.access``).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from alongside.audit.access import AuthedRequest, supporter_required
from alongside.lib.time import time_zone_of
from alongside.lib.views import attempt, posted
from alongside.roster import selectors, services
from alongside.roster.access import get_contact_record, get_own_place
from alongside.roster.forms import BusyForm, ContactRecordForm
from alongside.roster.models import ShiftPlace


def _rows(places: list[ShiftPlace], zone: str) -> list[dict[str, Any]]:
    return [{"place": p, "shift": p.shift, "times": selectors.shift_times(p.shift, zone)} for p in places]


@supporter_required
def my_shifts(request: AuthedRequest) -> HttpResponse:
    """Their coming shifts (service time, and their own beside it when it differs), on shift now, and a link to the
    cover board."""
    zone = time_zone_of(request.user)
    places = list(selectors.upcoming_places(request.user.pk))
    return render(
        request,
        "roster/my_shifts.html",
        {
            "rows": _rows(places, zone),
            "shift_status": selectors.shift_status(request.user.pk),
            "cover_count": len(selectors.cover_board(request.user.pk)),
            "contacts_to_file_count": selectors.contacts_to_file_count(request.user.pk),
        },
    )


@supporter_required
@require_POST
def busy(request: AuthedRequest) -> HttpResponse:
    """The on-shift switch: Available or Busy."""
    form = BusyForm(request.POST)
    if form.is_valid():
        made_busy = bool(form.cleaned_data["busy"])
        services.set_busy_by_choice(supporter=request.user, busy=made_busy)
        messages.success(
            request, "You are marked busy: no new contacts come to you." if made_busy else "You are available."
        )
    else:
        messages.error(request, "Choose Available or Busy.")
    return redirect("roster:my_shifts")


@supporter_required
@require_POST
def offer(request: AuthedRequest, pk: int) -> HttpResponse:
    place = get_own_place(request, pk)
    if services.offer_cover(supporter=request.user, place=place, request=request):
        messages.success(request, "Your place is on the cover board. It stays yours until someone takes it.")
    else:
        messages.error(request, "This place is already offered, or its shift is over.")
    return redirect("roster:my_shifts")


@supporter_required
@require_POST
def withdraw(request: AuthedRequest, pk: int) -> HttpResponse:
    place = get_own_place(request, pk)
    if services.withdraw_cover(supporter=request.user, place=place, request=request):
        messages.success(request, "Your offer is withdrawn. The place is yours.")
    else:
        messages.error(request, "This place was not offered (or someone has taken it).")
    return redirect("roster:my_shifts")


@supporter_required
def cover(request: AuthedRequest) -> HttpResponse:
    """Places other supporters offered, which this supporter could take."""
    zone = time_zone_of(request.user)
    return render(request, "roster/cover.html", {"rows": _rows(selectors.cover_board(request.user.pk), zone)})


@supporter_required
@require_POST
def take(request: AuthedRequest, pk: int) -> HttpResponse:
    """Take an offered place. Someone faster, or a withdrawn offer, is a message, never an error page; any place id
    that is not on offer reads the same ("someone else took it"), so the answer says nothing about other places."""
    try:
        taken = attempt(request, lambda: services.take_cover(taker=request.user, place_id=pk, request=request))
    except services.CoverGone:
        messages.error(request, "Someone else took that place just before you, or the offer was withdrawn.")
        return redirect("roster:cover")
    if taken is None:
        return redirect("roster:cover")
    messages.success(request, "The place is yours. It is in your shifts and your calendar feed.")
    return redirect("roster:my_shifts")


@supporter_required
def contacts_to_file(request: AuthedRequest) -> HttpResponse:
    records = selectors.unfiled_contacts(request.user.pk).order_by("-ended_at")
    return render(request, "roster/contacts_to_file.html", {"records": records})


@supporter_required
@require_http_methods(["GET", "POST"])
def contact_record(request: AuthedRequest, pk: int) -> HttpResponse:
    """The 30-second record of one ended contact: categories and numbers only."""
    contact = get_contact_record(request, pk)
    if contact.ended_at is None:
        messages.error(request, "This contact has not ended yet: you can file its record when it has.")
        return redirect("roster:contacts_to_file")
    initial = {
        "topics": list(contact.topics.all()),
        "career_stage": contact.career_stage,
        "region": contact.region,
        "minutes": contact.minutes,
        "referral_given": contact.referral_given,
        "risk_raised": contact.risk_raised,
        "hard_for_me": contact.hard_for_me,
    }
    form = ContactRecordForm(posted(request), initial=initial)
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        saved = attempt(
            request,
            lambda: services.file_contact(
                supporter=request.user,
                record_id=contact.pk,
                topics=list(data["topics"]),
                career_stage=data["career_stage"],
                minutes=data["minutes"],
                referral_given=data["referral_given"],
                risk_raised=data["risk_raised"],
                hard_for_me=data["hard_for_me"],
                region=data["region"],
                request=request,
            ),
            form=form,
        )
        if saved is not None:
            messages.success(request, "Thank you: the contact record is filed.")
            return redirect(
                "roster:contacts_to_file"
                if selectors.unfiled_contacts(request.user.pk).exists()
                else "roster:my_shifts"
            )
    return render(request, "roster/contact_record.html", {"form": form, "contact": contact})
