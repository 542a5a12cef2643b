from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from alongside.lib.access import coordinator_required, supporter_required
from alongside.matching.glue import describe_slots, parse_windows, weekly_slots
from alongside.supporters.access import get_supporter_for_coordinator
from alongside.supporters.forms import PauseForm, SupporterProfileForm, WindowFormSet, window_initial
from alongside.supporters.models import Format
from alongside.supporters.selectors import load_of, supporters_with_load
from alongside.supporters.services import profile_for, save_supporter_profile, set_paused


def _posted(request: HttpRequest) -> QueryDict | None:
    """The submitted data on POST (even when empty, so an empty form is still validated), else None."""
    return request.POST if request.method == "POST" else None


@supporter_required
@require_http_methods(["GET", "POST"])
def profile(request: HttpRequest) -> HttpResponse:
    """A supporter describes themselves to members and says how much they can take on."""
    instance = profile_for(request.user)  # type: ignore[arg-type]
    form = SupporterProfileForm(_posted(request), instance=instance, initial={"formats": instance.formats})
    windows = WindowFormSet(
        _posted(request), prefix="windows", initial=window_initial(parse_windows(instance.availability))
    )
    if request.method == "POST" and form.is_valid() and windows.is_valid():
        data = form.cleaned_data
        try:
            save_supporter_profile(
                user=request.user,  # type: ignore[arg-type]
                bio=data["bio"],
                specialties=data["specialties"],
                topics=data["topics"],
                gender=data["gender"],
                formats=data["formats"],
                capacity=data["capacity"],
                status=data["status"],
                paused_until=data["paused_until"],
                availability=windows.windows(),  # type: ignore[attr-defined]
                request=request,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, "Your supporter profile is saved.")
            return redirect("supporters:profile")
    person = getattr(request.user, "profile", None)
    return render(
        request,
        "supporters/profile.html",
        {"form": form, "windows": windows, "load": load_of(instance), "person": person, "supporter": instance},
    )


@coordinator_required
def console_list(request: HttpRequest) -> HttpResponse:
    return render(request, "supporters/console_list.html", {"supporters": supporters_with_load()})


@coordinator_required
def console_detail(request: HttpRequest, pk: int) -> HttpResponse:
    supporter = get_supporter_for_coordinator(request, pk)
    person = getattr(supporter.user, "profile", None)
    time_zone = person.time_zone if person is not None else "UTC"
    times = describe_slots(weekly_slots(parse_windows(supporter.availability), time_zone), time_zone)
    return render(
        request,
        "supporters/console_detail.html",
        {
            "supporter": supporter,
            "person": person,
            "load": load_of(supporter),
            "times": times,
            "formats": [Format(f).label for f in supporter.formats if f in Format.values],
            "pause_form": PauseForm(initial={"action": "pause"}),
        },
    )


@coordinator_required
@require_POST
def console_pause(request: HttpRequest, pk: int) -> HttpResponse:
    supporter = get_supporter_for_coordinator(request, pk)
    form = PauseForm(request.POST)
    if form.is_valid():
        paused = form.cleaned_data["action"] == "pause"
        set_paused(
            actor=request.user,  # type: ignore[arg-type]
            profile=supporter,
            paused=paused,
            until=form.cleaned_data["until"],
            request=request,
        )
        messages.success(request, "New offers to this supporter are paused." if paused else "New offers resumed.")
    else:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
    return redirect("supporters:console_detail", pk=supporter.pk)
