from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods

from alongside.accounts.forms import ProfileForm
from alongside.accounts.models import Profile
from alongside.accounts.selectors import access_lines
from alongside.accounts.services import save_profile
from alongside.audit.access import AuthedRequest


def _save(request: AuthedRequest, form: ProfileForm) -> None:
    data = form.cleaned_data
    save_profile(
        user=request.user,
        display_name=data["display_name"],
        real_name=data["real_name"],
        career_stage=data["career_stage"],
        international_graduate=data["international_graduate"],
        specialty=data["specialty"],
        workplaces=data["workplaces"],
        languages=data["languages"],
        time_zone=data["time_zone"],
        request=request,
    )


@login_required
@require_http_methods(["GET", "POST"])
def setup(request: AuthedRequest) -> HttpResponse:
    """The first profile, right after the email is verified."""
    profile = Profile.objects.filter(user=request.user).first()
    if profile is not None and profile.is_complete:
        return redirect("accounts:profile")
    form = ProfileForm(request.POST or None, instance=profile, detect_zone=True)
    if request.method == "POST" and form.is_valid():
        _save(request, form)
        messages.success(request, "Welcome. Your profile is saved.")
        nxt = request.GET.get("next", "")
        if nxt and url_has_allowed_host_and_scheme(nxt, allowed_hosts={request.get_host()}):
            return redirect(nxt)
        return redirect("home")
    return render(request, "accounts/setup.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def profile(request: AuthedRequest) -> HttpResponse:
    instance = Profile.objects.get(user=request.user)
    form = ProfileForm(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        _save(request, form)
        messages.success(request, "Your profile is saved.")
        return redirect("accounts:profile")
    return render(request, "accounts/profile.html", {"form": form})


@login_required
@require_GET
def access_log(request: AuthedRequest) -> HttpResponse:
    """My access log: every time a coordinator saw my identifying data, who, what and (break-glass) why."""
    return render(request, "accounts/access_log.html", {"lines": access_lines(request.user.pk)})
