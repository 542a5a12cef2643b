"""The phone line's pages: one's own number, asking for a call-back (anyone), the supporters' call-backs and phone
sessions. The provider's webhooks are in webhooks.py."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from alongside.audit.access import AuthedRequest, deny_404, supporter_required
from alongside.audit.services import client_ip, hash_ip
from alongside.lib.ratelimit import Window
from alongside.lib.time import now, place
from alongside.lib.views import attempt, posted
from alongside.meetings.access import get_session
from alongside.meetings.selectors import can_join
from alongside.phoneline import flows, selectors, services
from alongside.phoneline.access import get_callback_by_token, get_callback_for_supporter
from alongside.phoneline.forms import CallbackForm, NumberForm, OutcomeForm
from alongside.phoneline.line import is_on, line_settings
from alongside.phoneline.models import CallbackStatus
from alongside.phoneline.numbers import for_display
from alongside.service.selectors import snapshot
from alongside.supporters.models import Format

CALLBACK_REQUESTS = Window("phoneline.callback", limit=5, seconds=3600)
"""At most five call-back requests an hour from one address (or one account): enough for a typo, not for a flood."""
"""roster:contact_record, built by the roster's own screens; linked by its path here."""


def _service_number() -> str:
    line = line_settings()
    return for_display(line.number) if line is not None else ""


# --- one's own number -----------------------------------------------------------------------------------------------


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def my_number(request: AuthedRequest) -> HttpResponse:
    user = request.user
    current = selectors.own_number(user.pk)
    if request.method == "POST" and request.POST.get("action") == "remove":
        if services.remove_own_number(user=user, request=request):
            messages.success(request, "Your number is removed.")
        return redirect("phoneline:my_number")
    form = NumberForm(posted(request), initial={"number": for_display(current)} if current else None)
    if request.method == "POST" and form.is_valid():
        saved = attempt(
            request,
            lambda: services.set_own_number(user=user, number=form.cleaned_data["number"], request=request),
            form=form,
            field="number",
        )
        if saved is not None:
            messages.success(request, "Your number is saved.")
            return redirect("phoneline:my_number")
    return render(
        request,
        "phoneline/my_number.html",
        {"form": form, "current": for_display(current) if current else "", "line_on": is_on()},
    )


# --- asking for a call-back (anyone) ---------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def callback_new(request: HttpRequest) -> HttpResponse:
    snap = snapshot()
    if not is_on():
        return render(request, "phoneline/callback_new.html", {"line_on": False, "snap": snap})
    form = CallbackForm(posted(request))
    if request.method == "POST" and form.is_valid():
        user = request.user
        key = f"user{user.pk}" if user.is_authenticated else hash_ip(client_ip(request)) or "unknown"
        if CALLBACK_REQUESTS.hit(key):
            form.add_error(
                None,
                "You have asked for several call-backs in the last hour, so we can't take another just now. "
                "If you need to talk to someone now, the crisis lines below are open.",
            )
        else:
            starts, ends = form.cleaned_data["window"]
            made = attempt(
                request,
                lambda: services.request_callback(
                    name=form.cleaned_data["name"],
                    phone=form.cleaned_data["phone"],
                    window_starts_at=starts,
                    window_ends_at=ends,
                    topics=form.cleaned_data["topics"],
                    requester=user if user.is_authenticated else None,
                    request=request,
                ),
                form=form,
            )
            if made is not None:
                _callback, token = made
                return redirect(f"{reverse('phoneline:callback_status', args=[token])}?new=1")
    return render(
        request,
        "phoneline/callback_new.html",
        {"line_on": True, "form": form, "snap": snap, "zone": place(snap.settings.time_zone)},
    )


@never_cache
@require_GET
def callback_status(request: HttpRequest, token: str) -> HttpResponse:
    callback = get_callback_by_token(request, token)
    return render(
        request,
        "phoneline/callback_status.html",
        {
            "callback": callback,
            "token": token,
            "new": request.GET.get("new") == "1" and callback.status == CallbackStatus.WAITING,
            "link": request.build_absolute_uri(reverse("phoneline:callback_status", args=[token])),
            "service_number": _service_number(),
            "snap": snapshot(),
        },
    )


@require_POST
def callback_cancel(request: HttpRequest, token: str) -> HttpResponse:
    callback = get_callback_by_token(request, token)
    if services.cancel_callback(callback=callback, request=request):
        messages.success(request, "Your call-back is cancelled and your number deleted.")
    return redirect("phoneline:callback_status", token=token)


# --- the supporters' call-backs -------------------------------------------------------------------------------------


@supporter_required
@require_GET
def callback_list(request: AuthedRequest) -> HttpResponse:
    user = request.user
    return render(
        request,
        "phoneline/callback_list.html",
        {
            "offered": selectors.callbacks_offered_to(user),
            "taken": list(selectors.callbacks_taken_by(user)),
            "has_number": bool(selectors.own_number(user.pk)),
            "line_on": is_on(),
        },
    )


@supporter_required
@require_GET
def callback_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    callback = get_callback_for_supporter(request, pk)
    user = request.user
    mine = callback.taken_by_id == user.pk
    at = now()
    return render(
        request,
        "phoneline/callback_detail.html",
        {
            "callback": callback,
            "mine": mine,
            "someone_else": callback.status == CallbackStatus.TAKEN and not mine,
            "can_call": mine and callback.status == CallbackStatus.TAKEN and callback.in_window(at) and is_on(),
            "too_early": mine and at < callback.window_starts_at,
            "has_number": bool(selectors.own_number(user.pk)),
            "last_call": selectors.latest_call(callback=callback) if mine else None,
            "outcome_form": OutcomeForm() if mine and callback.status == CallbackStatus.TAKEN else None,
            "line_on": is_on(),
        },
    )


@supporter_required
@require_POST
def callback_take(request: AuthedRequest, pk: int) -> HttpResponse:
    callback = get_callback_for_supporter(request, pk)
    taken = attempt(
        request, lambda: services.take_callback(callback_id=callback.pk, supporter=request.user, request=request)
    )
    if taken is None:
        return redirect("phoneline:callbacks")
    messages.success(request, "It's yours. Call during the caller's window with “Call now through the service”.")
    return redirect("phoneline:callback_detail", pk=callback.pk)


@supporter_required
@require_POST
def callback_call(request: AuthedRequest, pk: int) -> HttpResponse:
    callback = get_callback_for_supporter(request, pk)
    attempt(
        request,
        lambda: flows.call_back(callback=callback, supporter=request.user),
        done="Your phone will ring from the service's number. Press 1 to be connected to the caller.",
    )
    return redirect("phoneline:callback_detail", pk=callback.pk)


@supporter_required
@require_POST
def callback_outcome(request: AuthedRequest, pk: int) -> HttpResponse:
    callback = get_callback_for_supporter(request, pk)
    form = OutcomeForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose how the call-back went.")
        return redirect("phoneline:callback_detail", pk=callback.pk)
    done = attempt(
        request,
        lambda: services.finish_callback(
            callback=callback, supporter=request.user, outcome=form.cleaned_data["outcome"], request=request
        ),
        done="Thank you. The caller's number is deleted.",
    )
    if done is not None and done.contact_id is not None:
        return redirect("roster:contact_record", pk=done.contact_id)
    return redirect("phoneline:callbacks")


# --- phone sessions -------------------------------------------------------------------------------------------------


@login_required
@require_GET
def session_call(request: AuthedRequest, pk: int) -> HttpResponse:
    session = get_session(request, pk)
    user = request.user
    connection = session.connection
    is_supporter = connection.supporter.user_id == user.pk
    joinable = can_join(session)
    member_has_number = connection.member_id is not None and bool(selectors.own_number(connection.member_id))
    return render(
        request,
        "phoneline/session_call.html",
        {
            "session": session,
            "partner": connection.peer_of(user),
            "is_phone": session.medium == Format.PHONE,
            "is_supporter": is_supporter,
            "joinable": joinable,
            "member_has_number": member_has_number,
            "has_number": bool(selectors.own_number(user.pk)),
            "line_on": is_on(),
            "service_number": _service_number(),
            "last_call": selectors.latest_call(session_id=session.pk) if is_supporter else None,
        },
    )


@login_required
@require_POST
def session_call_start(request: AuthedRequest, pk: int) -> HttpResponse:
    session = get_session(request, pk)
    if session.connection.supporter.user_id != request.user.pk:
        raise deny_404(request, action="phoneline.session.call", target_type="meetings.session", target_id=pk)
    attempt(
        request,
        lambda: flows.call_session(session=session, supporter=request.user),
        done="Your phone will ring from the service's number. Press 1 to be connected to your peer.",
    )
    return redirect("phoneline:session_call", pk=session.pk)
