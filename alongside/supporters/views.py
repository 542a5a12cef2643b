from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from alongside.audit.access import AuthedRequest, supporter_required
from alongside.lib.views import attempt, posted
from alongside.matching.weekly import parse_windows
from alongside.supporters.forms import SupporterProfileForm, WindowFormSet, window_initial
from alongside.supporters.services import profile_for, save_supporter_profile


@supporter_required
@require_http_methods(["GET", "POST"])
def profile(request: AuthedRequest) -> HttpResponse:
    """A supporter describes themselves to members and says how much they can take on."""
    instance = profile_for(request.user)
    form = SupporterProfileForm(posted(request), instance=instance, initial={"formats": instance.formats})
    windows = WindowFormSet(
        posted(request), prefix="windows", initial=window_initial(parse_windows(instance.availability))
    )
    if request.method == "POST" and form.is_valid() and windows.is_valid():
        data = form.cleaned_data
        saved = attempt(
            request,
            lambda: save_supporter_profile(
                user=request.user,
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
            ),
            form=form,
        )
        if saved is not None:
            messages.success(request, "Your supporter profile is saved.")
            return redirect("supporters:profile")
    person = getattr(request.user, "profile", None)
    return render(
        request,
        "supporters/profile.html",
        {"form": form, "windows": windows, "person": person, "supporter": instance},
    )
