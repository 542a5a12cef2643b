"""Views for the sessions of a connection and the private calendar feed.

The first line of each session view is an access check; the calendar feed is the one
page without sign-in, because its URL is the credential.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, HttpResponseNotFound
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from alongside.audit.access import AuthedRequest
from alongside.connections.access import get_connection
from alongside.lib.time import now, time_zone_of
from alongside.lib.views import attempt, posted
from alongside.meetings import calendar, services
from alongside.meetings.access import get_session
from alongside.meetings.forms import SessionForm
from alongside.meetings.models import CalendarFeed, Session, SessionStatus


def _form(request: AuthedRequest, media: list[str]) -> SessionForm:
    return SessionForm(
        posted(request),
        media=media,
        time_zone=time_zone_of(request.user),
    )


@login_required
@require_GET
def session_list(request: AuthedRequest, pk: int) -> HttpResponse:
    """A connection's sessions: what is waiting for an answer, what is agreed, what has been."""
    connection = get_connection(request, pk)
    user, at = request.user, now()
    rows = list(services.sessions_of(connection))
    for row in rows:
        row.connection = connection  # already fetched with both people: no query per session
    views = [services.view_of(row, user, at=at) for row in rows]
    open_statuses = (SessionStatus.PROPOSED, SessionStatus.AGREED)
    upcoming = [v for v in views if v.session.status in open_statuses and not v.can_mark_held]
    upcoming.reverse()  # soonest first
    return render(
        request,
        "meetings/list.html",
        {
            "connection": connection,
            "partner": connection.peer_of(user),
            "upcoming": upcoming,
            "to_confirm": [v for v in views if v.can_mark_held],
            "past": [v for v in views if v.session.status in (SessionStatus.HELD, SessionStatus.CANCELLED)],
            "can_propose": connection.is_active
            and not any(v.session.status == SessionStatus.PROPOSED and v.session.starts_at > at for v in views),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def session_propose(request: AuthedRequest, pk: int) -> HttpResponse:
    connection = get_connection(request, pk)
    if not connection.is_active:
        return redirect("meetings:session_list", pk=connection.pk)
    form = _form(request, services.media_for(connection))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        made = attempt(
            request,
            lambda: services.propose(
                connection=connection,
                actor=request.user,
                starts_at=data["starts_at"],
                minutes=data["minutes"],
                medium=data["medium"],
                request=request,
            ),
            form=form,
        )
        if made is not None:
            messages.success(request, "Time proposed. Your peer has been asked to agree or suggest another.")
            return redirect("meetings:session_detail", pk=made.pk)
    return render(
        request,
        "meetings/propose.html",
        {
            "connection": connection,
            "form": form,
            "partner": connection.peer_of(request.user),
            "review_overdue": connection.review_is_overdue(),
        },
    )


@login_required
@require_GET
def session_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    session = get_session(request, pk)
    user = request.user
    replaced_by = Session.objects.filter(replaces=session).first()
    return render(
        request,
        "meetings/detail.html",
        {
            "s": services.view_of(session, user),
            "connection": session.connection,
            "partner": session.connection.peer_of(user),
            "replaced_by": replaced_by,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def session_counter(request: AuthedRequest, pk: int) -> HttpResponse:
    """The side asked proposes another time instead."""
    session = get_session(request, pk)
    user = request.user
    view = services.view_of(session, user)
    if not view.can_answer:
        messages.info(request, "This proposed time can't be answered now.")
        return redirect("meetings:session_detail", pk=session.pk)
    form = _form(request, services.media_for(session.connection))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        made = attempt(
            request,
            lambda: services.counter(
                session=session,
                actor=user,
                starts_at=data["starts_at"],
                minutes=data["minutes"],
                medium=data["medium"],
                request=request,
            ),
            form=form,
        )
        if made is not None:
            messages.success(request, "Another time proposed. Your peer has been asked to agree.")
            return redirect("meetings:session_detail", pk=made.pk)
    return render(
        request,
        "meetings/counter.html",
        {"s": view, "form": form, "partner": session.connection.peer_of(user)},
    )


@login_required
@require_POST
def session_agree(request: AuthedRequest, pk: int) -> HttpResponse:
    session = get_session(request, pk)
    attempt(
        request,
        lambda: services.agree(session=session, actor=request.user, request=request),
        done="Agreed. You will both get a reminder 24 hours and 1 hour before.",
    )
    return redirect("meetings:session_detail", pk=session.pk)


@login_required
@require_POST
def session_cancel(request: AuthedRequest, pk: int) -> HttpResponse:
    session = get_session(request, pk)
    attempt(
        request,
        lambda: services.cancel(session=session, actor=request.user, request=request),
        done="Cancelled. Your peer has been told.",
    )
    return redirect("meetings:session_list", pk=session.connection_id)


@login_required
@require_POST
def session_held(request: AuthedRequest, pk: int) -> HttpResponse:
    session = get_session(request, pk)
    attempt(
        request,
        lambda: services.mark_held(session=session, actor=request.user, request=request),
        done="Thank you. The session is marked as held.",
    )
    return redirect("meetings:session_list", pk=session.connection_id)


# --- the private calendar feed ------------------------------------------------------


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def calendar_settings(request: AuthedRequest) -> HttpResponse:
    """Make, replace or revoke one's private feed. A new URL is shown once, in the response to the POST."""
    user = request.user
    token = ""
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action == "reset":
            token = calendar.reset_feed(user=user, request=request)
        elif action == "revoke":
            if calendar.revoke_feed(user=user, request=request):
                messages.success(request, "Your calendar feed is switched off. The old address no longer works.")
            return redirect("meetings:calendar_settings")
        else:
            messages.error(request, "Choose to make a new address or to switch the feed off.")
            return redirect("meetings:calendar_settings")
    feed = CalendarFeed.objects.filter(user=user).first()
    return render(
        request,
        "meetings/calendar.html",
        {
            "feed": feed,
            "feed_url": f"{settings.SITE_URL}/calendar/{token}.ics" if token else "",
            "webcal_url": f"webcal://{settings.SITE_URL.split('://', 1)[-1]}/calendar/{token}.ics" if token else "",
        },
    )


@never_cache
@require_GET
def calendar_feed(request: AuthedRequest, token: str) -> HttpResponse:
    """The feed itself. No sign-in: the URL is the credential. Nothing here is audited or logged with it."""
    feed = calendar.feed_for_token(token)
    if feed is None:
        missing = HttpResponseNotFound("Not found", content_type="text/plain")
        # Django logs the path of every 4xx response; this path holds a secret, so mark it logged already.
        missing._has_been_logged = True  # type: ignore[attr-defined]
        return missing
    response = HttpResponse(calendar.read_feed(feed), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="sessions.ics"'
    response["Referrer-Policy"] = "no-referrer"
    return response
