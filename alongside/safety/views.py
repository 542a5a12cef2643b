"""Raising a concern (supporters, from the place it arose), "I need help now" (members), and asking for a debrief.

Thin views: the first line checks access, one service call writes, then render or redirect.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST

from alongside.audit.access import AuthedRequest, supporter_required
from alongside.conversations.access import is_member
from alongside.lib.views import attempt, posted
from alongside.roster.models import ContactRecord
from alongside.safety import selectors, services
from alongside.safety.access import (
    Place,
    call_place,
    connection_place,
    contact_place,
    get_raised_concern,
    group_place,
    thread_place,
)
from alongside.safety.forms import ConcernForm, GroupConcernForm
from alongside.safety.models import Concern, Level, Source
from alongside.service.selectors import snapshot


def _crisis(extra: dict[str, object]) -> dict[str, object]:
    return {"crisis_lines": snapshot().crisis_lines, **extra}


@supporter_required
@require_http_methods(["GET", "POST"])
def raise_from_thread(request: AuthedRequest, pk: int) -> HttpResponse:
    place = thread_place(request, pk)
    return _raise(request, place)


@supporter_required
@require_http_methods(["GET", "POST"])
def raise_from_connection(request: AuthedRequest, pk: int) -> HttpResponse:
    place = connection_place(request, pk)
    return _raise(request, place)


@supporter_required
@require_http_methods(["GET", "POST"])
def raise_from_call(request: AuthedRequest, thread_id: int) -> HttpResponse:
    place = call_place(request, thread_id)
    return _raise(request, place)


@supporter_required
@require_http_methods(["GET", "POST"])
def raise_from_contact(request: AuthedRequest, pk: int) -> HttpResponse:
    place = contact_place(request, pk)
    return _raise(request, place)


@login_required
@require_http_methods(["GET", "POST"])
def raise_from_group(request: AuthedRequest, pk: int) -> HttpResponse:
    place = group_place(request, pk)
    return _raise(request, place)


def _raise(request: AuthedRequest, place: Place) -> HttpResponse:
    """The form; on a valid post, the concern (a double tap answers with the first one) and its status page."""
    if place.source == Source.GROUP:
        form: ConcernForm = GroupConcernForm(posted(request), members=[(pk, name) for pk, name, _ in place.about])
    else:
        form = ConcernForm(posted(request))
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        people = {pk: person for pk, _name, person in place.about}
        member = people.get(data["about"]) if place.about and data.get("about") else place.member
        result = attempt(
            request,
            lambda: services.raise_concern_once(
                raised_by=request.user,
                level=data["level"],
                source=place.source,
                note=data["note"],
                actions=data["actions"],
                member=member,
                thread_id=place.thread_id,
                connection_id=place.connection_id,
                contact_id=place.contact_id,
                request=request,
            ),
            form=form,
        )
        if result is not None:
            concern, made = result
            if not made:
                messages.info(request, "You raised this a moment ago: the coordinator on call has it already.")
            return redirect("safety:raised", pk=concern.pk)
    return render(request, "safety/raise.html", {"form": form, "place": place})


@login_required
@require_http_methods(["GET"])
def raised(request: AuthedRequest, pk: int) -> HttpResponse:
    """The raiser's page: the coordinator on call has been alerted, what to do meanwhile, where it stands (live)."""
    concern = get_raised_concern(request, pk)
    context = _crisis(
        {
            "concern": concern,
            "status": selectors.concern_status(concern),
            "debrief": selectors.open_debrief_of(request.user.pk) if request.user.is_supporter else None,
        }
    )
    if request.headers.get("HX-Request"):
        return render(request, "safety/_status.html", context)
    template = "safety/help_sent.html" if concern.source == Source.MEMBER else "safety/raised.html"
    return render(request, template, context)


@require_http_methods(["GET", "POST"])
def help_now(request: HttpRequest) -> HttpResponse:
    """I need help now: the crisis lines first, then (signed in) a button alerting the coordinator on call.

    Open to everyone, with nothing in the way (no sign-in, profile or MFA step): visitors get the lines alone. The
    alert goes only when the button is pressed (an empty post changes nothing).
    """
    user = request.user
    thread_id = _own_thread(request)
    if request.method == "POST" and user.is_authenticated and request.POST.get("alert") == "yes":
        result = attempt(
            request,
            lambda: services.raise_concern_once(
                raised_by=user,
                level=Level.IMMINENT,
                source=Source.MEMBER,
                member=user,
                thread_id=thread_id,
                request=request,
            ),
        )
        if result is not None:
            return redirect("safety:raised", pk=result[0].pk)
    return render(request, "safety/help_now.html", _crisis({"thread_id": thread_id}))


def _own_thread(request: HttpRequest) -> int | None:
    """The conversation the member came from (``?thread=`` or the form's ``thread``), when it is theirs; never a
    reason to refuse help, so anything else is ignored."""
    raw = request.POST.get("thread") or request.GET.get("thread") or ""
    if not raw.isdigit() or not request.user.is_authenticated:
        return None
    return int(raw) if is_member(int(raw), request.user.pk) else None


@supporter_required
@require_POST
def debrief(request: AuthedRequest) -> HttpResponse:
    """I need a debrief: one click; a second click while one is open answers "already asked"."""
    contact_id = _own_id(request, "contact", ContactRecord.objects.filter(supporter_id=request.user.pk))
    concern_id = _own_id(request, "concern", Concern.objects.filter(raised_by_id=request.user.pk))
    result = attempt(
        request,
        lambda: services.request_debrief(
            supporter=request.user, contact_id=contact_id, concern_id=concern_id, request=request
        ),
    )
    if result is not None:
        if result[1]:
            messages.success(request, "You have asked for a debrief. A coordinator will call you.")
        else:
            messages.info(request, "You have already asked for a debrief: a coordinator will call you.")
    return redirect(_next(request))


def _own_id(request: HttpRequest, name: str, own: QuerySet[Any]) -> int | None:
    raw = request.POST.get(name, "")
    if not raw.isdigit():
        return None
    return int(raw) if own.filter(pk=int(raw)).exists() else None


def _next(request: HttpRequest) -> str:
    nxt = request.POST.get("next", "")
    if nxt.startswith("/") and url_has_allowed_host_and_scheme(nxt, allowed_hosts={request.get_host()}):
        return nxt
    return "/"
