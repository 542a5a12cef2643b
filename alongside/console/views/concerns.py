"""Safety concerns: the open ones first, each with its whole timeline; acknowledging (which stops the escalation),
adding actions and notes, closing with an outcome, and break-glass for the coordinator handling an imminent one.

The member's identity appears only in break-glass's own response (never cached, never in a URL)."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from django.shortcuts import redirect
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from alongside.audit.access import AuthedRequest, coordinator_required
from alongside.console.views import page, paginate
from alongside.lib.views import attempt, posted
from alongside.safety import selectors
from alongside.safety.access import get_concern, get_concern_to_reveal, may_reveal
from alongside.safety.breakglass import reveal_identity
from alongside.safety.forms import CloseForm, RevealForm, TimelineForm
from alongside.safety.models import Concern
from alongside.safety.services import acknowledge, add_to_timeline, close_concern


@coordinator_required
@require_GET
def concern_list(request: AuthedRequest) -> HttpResponse:
    return page(
        request,
        "console/concerns/list.html",
        {"open": list(selectors.open_concerns()), "page": paginate(request, selectors.closed_concerns())},
        section="concerns",
    )


def _detail(request: AuthedRequest, concern: Concern, **forms: Any) -> HttpResponse:
    context = {
        "concern": concern,
        "events": list(selectors.timeline(concern)),
        "timeline_form": forms.get("timeline_form") or TimelineForm(),
        "may_reveal": may_reveal(concern, request.user.pk),
    }
    return page(request, "console/concerns/detail.html", context, section="concerns")


@coordinator_required
@require_GET
def concern_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    concern = get_concern(request, pk)
    return _detail(request, concern)


@coordinator_required
@require_POST
def concern_acknowledge(request: AuthedRequest, pk: int) -> HttpResponse:
    concern = get_concern(request, pk)
    attempt(
        request,
        lambda: acknowledge(concern=concern, by=request.user, request=request),
        done="You have acknowledged it: you handle it now, and nobody else is alerted.",
    )
    return redirect("console:concern", pk=concern.pk)


@coordinator_required
@require_POST
def concern_add(request: AuthedRequest, pk: int) -> HttpResponse:
    concern = get_concern(request, pk)
    form = TimelineForm(request.POST)
    if not form.is_valid():
        return _detail(request, concern, timeline_form=form)
    attempt(
        request,
        lambda: add_to_timeline(
            concern=concern,
            by=request.user,
            action=form.cleaned_data["action"],
            note=form.cleaned_data["note"],
            request=request,
        ),
        done="Added to the timeline.",
    )
    return redirect("console:concern", pk=concern.pk)


@coordinator_required
@require_http_methods(["GET", "POST"])
def concern_close(request: AuthedRequest, pk: int) -> HttpResponse:
    concern = get_concern(request, pk)
    if not concern.is_open:
        return redirect("console:concern", pk=concern.pk)
    form = CloseForm(posted(request), level=concern.level)
    if form.is_valid():
        closed = attempt(
            request,
            lambda: close_concern(
                concern=concern,
                by=request.user,
                outcome=form.cleaned_data["outcome"],
                reason=form.cleaned_data["reason"],
                request=request,
            ),
            form=form,
            done="The concern is closed.",
        )
        if closed is not None:
            return redirect("console:concern", pk=concern.pk)
    return page(request, "console/concerns/close.html", {"concern": concern, "form": form}, section="concerns")


@never_cache
@coordinator_required
@require_http_methods(["GET", "POST"])
def concern_reveal(request: AuthedRequest, pk: int) -> HttpResponse:
    concern = get_concern_to_reveal(request, pk)
    form = RevealForm(posted(request))
    identity = None
    if form.is_valid():
        data = form.cleaned_data
        identity = attempt(
            request,
            lambda: reveal_identity(
                concern=concern,
                by=request.user,
                reason=data["reason"],
                password=data["password"],
                code=data["code"],
                request=request,
            ),
            form=form,
        )
    response = page(
        request,
        "console/concerns/reveal.html",
        {"concern": concern, "form": form, "identity": identity},
        section="concerns",
    )
    response["Cache-Control"] = "no-store, private"
    return response
