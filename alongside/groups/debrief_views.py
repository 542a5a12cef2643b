"""Incident debrief pages: start one, run it (link, QR code, STOP5 prompts, the record), join it, and after it."""

from __future__ import annotations

from typing import Any

import segno
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST, require_safe

from alongside.audit.access import AuthedRequest, coordinator_required
from alongside.audit.models import Outcome
from alongside.audit.services import denied, record
from alongside.groups import access, debriefs
from alongside.groups.debrief_forms import GuestJoinForm, JoinForm, RecordForm, StartForm
from alongside.groups.models import Debrief, DebriefMode, Group, Theme
from alongside.lib.views import attempt, posted

STOP5 = (
    ("Summarise", "What happened, briefly, in facts. No names, no patient details."),
    ("Things that went well", "What helped: people, actions, equipment."),
    ("Opportunities to improve", "What could go better next time."),
    ("Points to action", "Who follows up what (by role, not by name)."),
)
JOIN_ACTION = "groups.debrief.join_link"
JOIN_PATH = "/debriefs/join/"
"""What the audit trail keeps of a refused link's path: the route, never the token."""


@login_required
def start(request: AuthedRequest) -> HttpResponse:
    if not debriefs.may_start(request.user):
        denied("access.debrief_lead_area", request=request)
        raise PermissionDenied("Debriefs are started by debrief leads and coordinators.")
    form = StartForm(posted(request))
    if form.is_valid():
        data = form.cleaned_data
        debrief = attempt(
            request,
            lambda: debriefs.start_debrief(
                by=request.user,
                mode=data["mode"],
                team=data["team"],
                start_key=data["start_key"],
                outreach_after_hours=data["outreach_after_hours"],
                cold_at=data["cold_at"] if data["mode"] == DebriefMode.COLD else None,
                request=request,
            ),
            form=form,
        )
        if debrief is not None:
            return redirect("debriefs:detail", pk=debrief.group_id)
    return render(request, "groups/debrief_start.html", {"form": form})


def _qr(url: str) -> str:
    """The link as an SVG QR code, drawn on the server from our own link (no script, nothing the viewer typed)."""
    svg = segno.make(url, error="m").svg_inline(scale=5, svgclass="qr", title="QR code of the invitation link")
    return mark_safe(svg)  # noqa: S308 - segno's own markup of a URL we made


def _detail(request: AuthedRequest, group: Group, *, record_form: RecordForm | None = None) -> HttpResponse:
    debrief: Debrief = group.debrief
    membership = access.membership_of(group, request.user)
    leads = membership is not None and membership.is_active and membership.is_facilitator
    member = membership is not None and membership.is_active
    link_open = debriefs.link_open(debrief)
    context: dict[str, Any] = {
        "group": group,
        "debrief": debrief,
        "leads": leads,
        "member": member,
        "link_open": link_open,
        "stop5": STOP5,
        "participants": debriefs.participant_count(debrief),
        "meeting": group.meetings.filter(cancelled_at__isnull=True).first(),
    }
    if leads:
        url = debriefs.invite_url(debrief)
        context["invite_url"] = url
        context["qr"] = _qr(url) if link_open else ""
        context["record_form"] = record_form or RecordForm(
            initial={
                "themes": debrief.themes,
                "summary": debrief.summary,
                "went_well": debrief.went_well,
                "to_improve": debrief.to_improve,
                "to_action": debrief.to_action,
            }
        )
    return render(request, "groups/debrief_detail.html", context, status=400 if record_form else 200)


@login_required
@require_safe
def detail(request: AuthedRequest, pk: int) -> HttpResponse:
    group, _membership = access.get_debrief(request, pk)
    return _detail(request, group)


@login_required
def save_record(request: AuthedRequest, pk: int) -> HttpResponse:
    group = access.get_led_debrief(request, pk)
    if request.method != "POST":
        return redirect("debriefs:detail", pk=group.pk)
    form = RecordForm(request.POST)
    if form.is_valid():
        saved = attempt(
            request,
            lambda: debriefs.save_record(debrief=group.debrief, by=request.user, **form.cleaned_data, request=request),
            form=form,
            done="The record is saved. Thank you.",
        )
        if saved is not None:
            return redirect("debriefs:detail", pk=group.pk)
    return _detail(request, group, record_form=form)


@login_required
@require_POST
def end(request: AuthedRequest, pk: int) -> HttpResponse:
    group = access.get_led_debrief(request, pk)
    attempt(
        request,
        lambda: debriefs.end_debrief(debrief=group.debrief, by=request.user, request=request),
        done="The debrief has ended: its link no longer works and its thread is read-only.",
    )
    return redirect("debriefs:detail", pk=group.pk)


def _link_refused(request: HttpRequest, debrief: Debrief | None) -> HttpResponse:
    """An unknown link (404) or an expired or ended debrief's (410): a clear page, audited, nothing created."""
    # Not ``denied()``: it keeps the request's path, and this path is the link itself.
    record(
        JOIN_ACTION,
        request=request,
        target_type=access.TARGET if debrief else "",
        target_id=debrief.group_id if debrief else "",
        outcome=Outcome.DENIED,
        details={"path": JOIN_PATH, "method": request.method or ""},
    )
    status = 404 if debrief is None else 410
    return render(request, "groups/debrief_link_expired.html", {"unknown": debrief is None}, status=status)


def join(request: HttpRequest, token: str) -> HttpResponse:
    debrief = debriefs.find_by_token(token)
    if debrief is None:
        return _link_refused(request, None)
    group = debrief.group
    user = request.user
    membership = access.membership_of(group, user) if user.is_authenticated else None
    if membership is not None and membership.is_active:
        return redirect("debriefs:detail", pk=group.pk)
    if not debriefs.link_open(debrief):
        return _link_refused(request, debrief)
    if user.is_authenticated and user.is_guest:
        return render(request, "groups/debrief_join.html", {"other_debrief": True, "group": group}, status=409)
    if user.is_authenticated:
        form: JoinForm = JoinForm(posted(request))
        if form.is_valid():
            done = attempt(
                request,
                lambda: debriefs.join_debrief(debrief=debrief, user=user, accepted_agreement=True, request=request),
                form=form,
            )
            if done is not None:
                return redirect("debriefs:detail", pk=group.pk)
    else:
        form = GuestJoinForm(posted(request))
        if form.is_valid():
            guest = attempt(
                request,
                lambda: debriefs.join_as_guest(
                    debrief=debrief,
                    first_name=form.cleaned_data["first_name"],
                    email=form.cleaned_data["email"],
                    accepted_agreement=True,
                    request=request,
                ),
                form=form,
            )
            if guest is not None:
                login(request, guest, backend="django.contrib.auth.backends.ModelBackend")
                return redirect("debriefs:detail", pk=group.pk)
    return render(
        request,
        "groups/debrief_join.html",
        {"form": form, "group": group, "debrief": debrief, "guest": not user.is_authenticated},
        status=400 if form.is_bound else 200,
    )


@login_required
@require_safe
def after(request: AuthedRequest, pk: int) -> HttpResponse:
    group = access.get_participated_debrief(request, pk)
    return render(request, "groups/debrief_after.html", {"group": group})


@coordinator_required
def records(request: AuthedRequest) -> HttpResponse:
    found = debriefs.records()
    labels = dict(Theme.choices)
    rows = [
        {"debrief": d, "themes": [labels[t] for t in d.themes if t in labels], "to_action": d.to_action} for d in found
    ]
    return render(
        request,
        "groups/debrief_records.html",
        {"rows": rows, "theme_counts": debriefs.theme_counts(found)},
    )
