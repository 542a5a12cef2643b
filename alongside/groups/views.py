"""Thin views for circles, drop-ins and supervision groups: the directory, a group's page, joining and leaving,
facilitating (requests, mute, remove, pause, end) and the coordinators' pages. The first line checks access; one
service call writes; then render or redirect."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from alongside.audit.access import AuthedRequest, coordinator_required
from alongside.groups import selectors, services
from alongside.groups.access import (
    FACILITATE_ACTION,
    get_facilitated_group,
    get_group,
    get_managed_group,
    get_membership_in,
)
from alongside.groups.agreement import AGREEMENT
from alongside.groups.forms import AddFacilitatorForm, DirectoryFilterForm, GroupForm, JoinForm
from alongside.groups.meeting_views import meetings_context
from alongside.groups.models import GroupKind, MembershipState, Role
from alongside.lib.time import in_zone, time_zone_of
from alongside.lib.views import attempt, posted

MANAGE_ACTION = "groups.group.manage"


@login_required
@require_GET
def directory(request: AuthedRequest) -> HttpResponse:
    """Circles and drop-ins (supervision groups for supporters), filtered by kind and purpose; the viewer's own on top."""
    user = request.user
    supervision = bool(user.is_supporter or user.is_coordinator)
    form = DirectoryFilterForm(request.GET or None, supervision=supervision)
    kind = purpose = ""
    if form.is_bound and form.is_valid():
        kind, purpose = form.cleaned_data["kind"], form.cleaned_data["purpose"]
    context = {
        "form": form,
        "mine": selectors.my_groups(user),
        "entries": selectors.directory(user, kind=kind, purpose=purpose),
        "filtered": bool(kind or purpose),
    }
    return render(request, "groups/directory.html", context)


@login_required
@require_GET
def detail(request: AuthedRequest, pk: int) -> HttpResponse:
    group, membership = get_group(request, pk)
    state = membership.state if membership else ""
    context = {
        "group": group,
        "membership": membership,
        "entry": selectors.entry(request.user, group),
        "is_member": state == MembershipState.ACTIVE,
        "is_facilitator": bool(membership and membership.is_active and membership.role == Role.FACILITATOR),
        "facilitator_names": selectors.facilitator_names(group),
        "member_count": len(selectors.members(group)),
        "agreement": AGREEMENT,
        "form": JoinForm(),
    }
    if context["is_member"]:
        context.update(meetings_context(group, membership, request.user))
    return render(request, "groups/detail.html", context)


@login_required
@require_POST
def join(request: AuthedRequest, pk: int) -> HttpResponse:
    group, _membership = get_group(request, pk)
    form = JoinForm(request.POST)
    if not form.is_valid():
        for error in form.errors.get("accept", []):
            messages.error(request, str(error))
        return redirect("groups:detail", pk=group.pk)
    made = attempt(
        request, lambda: services.join(group=group, user=request.user, accepted_agreement=True, request=request)
    )
    if made is None:
        return redirect("groups:detail", pk=group.pk)
    if made.state == MembershipState.ACTIVE:
        messages.success(request, f"Welcome to {group.name}.")
        return redirect("conversations:thread", pk=group.thread_id)
    messages.success(request, "Your request is with the facilitators. We will let you know when they answer.")
    return redirect("groups:detail", pk=group.pk)


@login_required
@require_http_methods(["GET", "POST"])
def leave(request: AuthedRequest, pk: int) -> HttpResponse:
    """Leave (or withdraw a request), after a confirmation."""
    group, membership = get_group(request, pk)
    if membership is None or membership.state not in (MembershipState.ACTIVE, MembershipState.REQUESTED):
        return redirect("groups:detail", pk=group.pk)
    if request.method == "POST":
        attempt(
            request,
            lambda: services.leave(group=group, user=request.user, request=request),
            done="You have left the group." if membership.is_active else "Your request is withdrawn.",
        )
        return redirect("groups:directory")
    return render(request, "groups/leave.html", {"group": group, "membership": membership})


# --- facilitating ----------------------------------------------------------------------------------------------


@login_required
@require_GET
def facilitate(request: AuthedRequest, pk: int) -> HttpResponse:
    group, _membership = get_facilitated_group(request, pk)
    context = {
        "group": group,
        "entry": selectors.entry(request.user, group),
        "requests": selectors.requests(group),
        "members": selectors.members(group),
        "facilitators": selectors.facilitators(group),
    }
    return render(request, "groups/facilitate.html", context)


@login_required
@require_POST
def approve(request: AuthedRequest, pk: int, member: int) -> HttpResponse:
    group, _mine = get_facilitated_group(request, pk)
    membership = get_membership_in(request, group, member, action=FACILITATE_ACTION)
    attempt(
        request,
        lambda: services.approve(membership=membership, by=request.user, request=request),
        done=f"{membership.user.display_name} has joined the group.",
    )
    return redirect("groups:facilitate", pk=group.pk)


@login_required
@require_POST
def decline(request: AuthedRequest, pk: int, member: int) -> HttpResponse:
    group, _mine = get_facilitated_group(request, pk)
    membership = get_membership_in(request, group, member, action=FACILITATE_ACTION)
    attempt(
        request,
        lambda: services.decline(membership=membership, by=request.user, request=request),
        done="Request declined. They are told kindly, without a reason.",
    )
    return redirect("groups:facilitate", pk=group.pk)


def _set_muted(request: AuthedRequest, pk: int, member: int, *, muted: bool) -> HttpResponse:
    group, _mine = get_facilitated_group(request, pk)
    membership = get_membership_in(request, group, member, action=FACILITATE_ACTION)
    name = membership.user.display_name
    attempt(
        request,
        lambda: services.set_muted(membership=membership, muted=muted, by=request.user, request=request),
        done=f"{name} is muted: they can read but not send." if muted else f"{name} can send again.",
    )
    return redirect("groups:facilitate", pk=group.pk)


@login_required
@require_POST
def mute(request: AuthedRequest, pk: int, member: int) -> HttpResponse:
    return _set_muted(request, pk, member, muted=True)


@login_required
@require_POST
def unmute(request: AuthedRequest, pk: int, member: int) -> HttpResponse:
    return _set_muted(request, pk, member, muted=False)


@login_required
@require_http_methods(["GET", "POST"])
def remove(request: AuthedRequest, pk: int, member: int) -> HttpResponse:
    """Remove a member, after a confirmation: they lose the conversation at once and cannot rejoin."""
    group, _mine = get_facilitated_group(request, pk)
    membership = get_membership_in(request, group, member, action=FACILITATE_ACTION)
    if request.method == "POST":
        attempt(
            request,
            lambda: services.remove(membership=membership, by=request.user, request=request),
            done=f"{membership.user.display_name} is no longer in the group.",
        )
        return redirect("groups:facilitate", pk=group.pk)
    return render(request, "groups/remove.html", {"group": group, "membership": membership})


@login_required
@require_POST
def pause(request: AuthedRequest, pk: int) -> HttpResponse:
    group, _mine = get_facilitated_group(request, pk)
    services.set_paused(group=group, paused=True, by=request.user, request=request)
    messages.success(request, "The conversation is paused: only facilitators can send until you resume it.")
    return redirect("groups:facilitate", pk=group.pk)


@login_required
@require_POST
def resume(request: AuthedRequest, pk: int) -> HttpResponse:
    group, _mine = get_facilitated_group(request, pk)
    services.set_paused(group=group, paused=False, by=request.user, request=request)
    messages.success(request, "Everyone can send again.")
    return redirect("groups:facilitate", pk=group.pk)


@login_required
@require_http_methods(["GET", "POST"])
def end(request: AuthedRequest, pk: int) -> HttpResponse:
    """End a drop-in now, after a confirmation (it also ends by itself at its set time)."""
    group, _mine = get_facilitated_group(request, pk)
    if group.kind != GroupKind.DROP_IN or group.is_ended:
        messages.info(request, "Only a drop-in that is still on can be ended here.")
        return redirect("groups:facilitate", pk=group.pk)
    if request.method == "POST":
        services.end_group(group=group, by=request.user, request=request)
        messages.success(request, "The drop-in has ended. Its conversation is closed.")
        return redirect("groups:detail", pk=group.pk)
    return render(request, "groups/end.html", {"group": group})


# --- coordinators ------------------------------------------------------------------------------------------------


@coordinator_required
@require_GET
def manage(request: AuthedRequest) -> HttpResponse:
    context = {
        "groups": selectors.managed(),
        "ended": selectors.managed(ended=True)[:20],
        "kinds": [(k.value, k.label) for k in (GroupKind.CIRCLE, GroupKind.DROP_IN, GroupKind.SUPERVISION)],
        "section": "groups",
    }
    return render(request, "groups/manage.html", context)


CREATABLE = {GroupKind.CIRCLE.value, GroupKind.DROP_IN.value, GroupKind.SUPERVISION.value}


@coordinator_required
@require_http_methods(["GET", "POST"])
def manage_new(request: AuthedRequest, kind: str) -> HttpResponse:
    if kind not in CREATABLE:
        messages.error(request, "Choose a peer circle, a drop-in or a supervision group.")
        return redirect("groups:manage")
    form = GroupForm(posted(request), kind=kind, time_zone=time_zone_of(request.user), creating=True)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        made = attempt(
            request,
            lambda: services.create_group(
                kind=kind,
                created_by=request.user,
                facilitators=list(data["facilitators"]),
                **_details(data),
                request=request,
            ),
            form=form,
        )
        if made is not None:
            messages.success(request, f"{made.name} is ready and listed in the directory.")
            return redirect("groups:manage_edit", pk=made.pk)
    context = {"form": form, "kind_label": GroupKind(kind).label, "kind": kind, "section": "groups"}
    return render(request, "groups/manage_form.html", context)


DETAIL_FIELDS = ("name", "purpose", "description", "capacity", "join_policy", "schedule", "starts_at", "ends_at")
"""What the coordinators' group form gives both making a group and changing one."""


def _details(data: dict[str, Any]) -> dict[str, Any]:
    return {field: data[field] for field in DETAIL_FIELDS}


@coordinator_required
@require_http_methods(["GET", "POST"])
def manage_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    group = get_managed_group(request, pk)
    zone = time_zone_of(request.user)
    initial = {
        "name": group.name,
        "purpose": group.purpose,
        "description": group.description,
        "capacity": group.capacity,
        "join_policy": group.join_policy,
        "schedule": group.schedule,
    }
    if group.starts_at and group.ends_at:
        local_start, local_end = in_zone(group.starts_at, zone), in_zone(group.ends_at, zone)
        initial.update(date=local_start.date(), start=local_start.time(), end=local_end.time())
    form = GroupForm(posted(request), initial=initial, kind=group.kind, time_zone=zone, creating=False)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        changed = attempt(
            request,
            lambda: services.update_group(
                group=group,
                by=request.user,
                **_details(data),
                request=request,
            ),
            form=form,
        )
        if changed is not None:
            messages.success(request, "Saved.")
            return redirect("groups:manage_edit", pk=group.pk)
    context = {
        "group": group,
        "form": form,
        "kind_label": group.get_kind_display(),
        "facilitators": selectors.facilitators(group),
        "add_form": AddFacilitatorForm(),
        "entry": selectors.entry(request.user, group),
        "section": "groups",
    }
    return render(request, "groups/manage_edit.html", context)


@coordinator_required
@require_POST
def facilitator_add(request: AuthedRequest, pk: int) -> HttpResponse:
    group = get_managed_group(request, pk)
    form = AddFacilitatorForm(request.POST)
    if form.is_valid():
        person = form.cleaned_data["person"]
        attempt(
            request,
            lambda: services.add_facilitator(group=group, person=person, by=request.user, request=request),
            done=f"{person.display_name} now facilitates this group.",
        )
    else:
        for error in form.errors.get("person", []):
            messages.error(request, str(error))
    return redirect("groups:manage_edit", pk=group.pk)


@coordinator_required
@require_POST
def facilitator_remove(request: AuthedRequest, pk: int, member: int) -> HttpResponse:
    group = get_managed_group(request, pk)
    membership = get_membership_in(request, group, member, action=MANAGE_ACTION)
    attempt(
        request,
        lambda: services.remove_facilitator(membership=membership, by=request.user, request=request),
        done=f"{membership.user.display_name} no longer facilitates this group.",
    )
    return redirect("groups:manage_edit", pk=group.pk)


@coordinator_required
@require_http_methods(["GET", "POST"])
def manage_close(request: AuthedRequest, pk: int) -> HttpResponse:
    """Close (end) a group, after a confirmation: no new members; its conversation becomes read-only."""
    group = get_managed_group(request, pk)
    if group.is_ended:
        messages.info(request, "This group has already ended.")
        return redirect("groups:manage_edit", pk=group.pk)
    if request.method == "POST":
        services.end_group(group=group, by=request.user, request=request)
        messages.success(request, f"{group.name} is closed. Its conversation can still be read for now.")
        return redirect("groups:manage")
    return render(request, "groups/manage_close.html", {"group": group, "section": "groups"})
