"""A group's meetings and its video room. The first line of each view is the group's access check: the meetings, the
``.ics`` and the room are for active members; scheduling and cancelling for the group's facilitators."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from alongside.audit.access import AuthedRequest, deny_404
from alongside.audit.services import record
from alongside.groups import meetings, video
from alongside.groups.access import MEMBER_ACTION, TARGET, get_facilitated_group, get_member_group
from alongside.groups.meeting_forms import MeetingForm
from alongside.groups.models import Group, Meeting, Membership
from alongside.lib.time import now, place
from alongside.lib.views import attempt, posted


def meetings_context(group: Group, membership: Membership | None, user: Any) -> dict[str, Any]:
    """What templates/groups/_meetings.html needs (the group page includes it with these keys)."""
    return {
        "group": group,
        "meeting_views": meetings.meetings_for(group, user),
        "meeting_place": place(meetings.zone_of(user)),
        "can_schedule": membership is not None
        and membership.is_active
        and membership.is_facilitator
        and not group.is_ended,
    }


@login_required
@require_GET
def meeting_list(request: AuthedRequest, pk: int) -> HttpResponse:
    """The group's meetings still to come, in the viewer's own time zone."""
    group, membership = get_member_group(request, pk)
    return render(request, "groups/meeting_list.html", meetings_context(group, membership, request.user))


@login_required
@require_http_methods(["GET", "POST"])
def meeting_new(request: AuthedRequest, pk: int) -> HttpResponse:
    """A facilitator schedules a meeting, typed in their own zone."""
    group, _membership = get_facilitated_group(request, pk)
    zone = meetings.zone_of(request.user)
    form = MeetingForm(posted(request), time_zone=zone)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        made = attempt(
            request,
            lambda: meetings.schedule(
                group=group, by=request.user, starts_at=data["starts_at"], minutes=data["minutes"], request=request
            ),
            form=form,
        )
        if made is not None:
            messages.success(request, "Meeting scheduled. The group's members have been told.")
            return redirect("group_meetings:meeting_list", pk=group.pk)
    return render(request, "groups/meeting_new.html", {"group": group, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def meeting_cancel(request: AuthedRequest, pk: int, meeting_pk: int) -> HttpResponse:
    """A facilitator is asked to confirm (every member is told), then cancels."""
    group, _membership = get_facilitated_group(request, pk)
    meeting = get_object_or_404(Meeting.objects.select_related("group"), pk=meeting_pk, group=group)
    if request.method == "GET":
        when = meetings.local_words(meeting.starts_at, meetings.zone_of(request.user))
        context = {"group": group, "meeting": meeting, "when": when, "over": meeting.ends_at <= now()}
        return render(request, "groups/meeting_cancel.html", context)
    attempt(
        request,
        lambda: meetings.cancel(meeting=meeting, by=request.user, request=request),
        done="Meeting cancelled. The group's members have been told.",
    )
    return redirect("group_meetings:meeting_list", pk=group.pk)


@login_required
@require_GET
def meeting_ics(request: AuthedRequest, pk: int, meeting_pk: int) -> HttpResponse:
    """One meeting's ``.ics``: neutral words, no group name, no names."""
    group, _membership = get_member_group(request, pk)
    meeting = get_object_or_404(Meeting.objects.select_related("group"), pk=meeting_pk, group=group)
    response = HttpResponse(meetings.meeting_calendar([meeting]), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="peer-group-meeting.ics"'
    return response


@never_cache
@login_required
@require_GET
def room(request: AuthedRequest, pk: int) -> HttpResponse:
    """Into the group's video room on Jitsi Meet while it is open; otherwise a page saying when it opens."""
    group, membership = get_member_group(request, pk)
    user = request.user
    if membership.is_facilitator and not (user.is_supporter or user.is_coordinator):
        # A facilitator whose supporter role was removed holds no place in the thread, so none in the room either.
        raise deny_404(request, action=MEMBER_ACTION, target_type=TARGET, target_id=pk)
    at = now()
    window = video.open_window(group, at=at)
    if window is None:
        upcoming = video.next_window(group, at=at)
        zone = meetings.zone_of(user)
        return render(
            request,
            "groups/meeting_room_closed.html",
            {
                "group": group,
                "opens": meetings.local_words(upcoming.opens, zone) if upcoming is not None else "",
                "meeting_place": place(zone),
                "opens_minutes": video.ROOM_OPENS_MINUTES,
            },
        )
    moderator = video.is_moderator(membership, user)
    record("groups.room.entered", actor=user, target=group, request=request, details={"moderator": moderator})
    url = video.room_url(group=group, membership=membership, user=user, window=window, at=at)
    return HttpResponseRedirect(url)
