"""Thin views: the first line checks access, one service call writes, then render or redirect."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from alongside.accounts.models import FORMER_MEMBER
from alongside.audit.access import AuthedRequest, supporter_required
from alongside.conversations import referrals
from alongside.conversations import selectors as thread_selectors
from alongside.conversations import services as thread_services
from alongside.conversations.access import thread_accepts_messages
from alongside.conversations.models import BODY_MAX_LENGTH
from alongside.lib.time import now
from alongside.lib.views import attempt, posted
from alongside.service.selectors import snapshot
from alongside.talknow import selectors, services
from alongside.talknow.access import get_offer, get_request
from alongside.talknow.forms import TalkNowForm
from alongside.talknow.models import Medium, State, TalkNowRequest


def _common(extra: dict[str, object]) -> dict[str, object]:
    snap = snapshot()
    return {
        "crisis_lines": snap.crisis_lines,
        "callback_path": reverse("phoneline:callback_new"),
        "hours": snap.hours_summary(),
        **extra,
    }


@login_required
@require_http_methods(["GET", "POST"])
def start(request: AuthedRequest) -> HttpResponse:
    """Talk now: voice or chat and optional topics during opening hours; the after-hours message outside them."""
    live = selectors.open_request_of(request.user.pk)
    if live is not None:
        return redirect(_where(live, request.user.pk))
    snap = snapshot()
    if not snap.settings.offers_talk_now:
        return render(request, "talknow/not_offered.html", _common({}))
    if not snap.is_open_at(now()):
        return render(request, "talknow/after_hours.html", _common({}))
    form = TalkNowForm(posted(request))
    if request.method == "POST" and form.is_valid():
        made = attempt(
            request,
            lambda: services.ask(
                member=request.user, medium=form.cleaned_data["medium"], topics=form.cleaned_data["topics"]
            ),
            form=form,
        )
        if made is not None:
            return redirect("talknow:request", pk=made.pk)
    wait = selectors.expected_wait()
    return render(request, "talknow/start.html", _common({"form": form, "wait": wait}))


def _where(req: TalkNowRequest, viewer_id: int) -> str:
    """The page for a request in its present state."""
    if req.state == State.CONNECTED:
        return selectors.conversation_url(req)
    if req.state == State.ENDED:
        return str(selectors.status(req, viewer_id=viewer_id)["url"])
    return reverse("talknow:request", kwargs={"pk": req.pk})


@login_required
def request_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    """The member's waiting page: live status over ``ws/talk-now/<pk>/``; where it ended when it did not connect."""
    req = get_request(request, pk)
    if req.state in (State.CONNECTED, State.ENDED):
        return redirect(_where(req, request.user.pk))
    context = {"req": req, "status": selectors.status(req, viewer_id=request.user.pk)}
    return render(request, "talknow/request.html", _common(context))


@login_required
@require_POST
def cancel(request: AuthedRequest, pk: int) -> HttpResponse:
    req = get_request(request, pk)
    if services.cancel(req=req, member=request.user):
        messages.success(request, "Your Talk now request is cancelled. Nobody will join.")
    elif req.state == State.CONNECTED:
        messages.info(request, "A supporter had already joined you.")
    return redirect(_where(TalkNowRequest.objects.get(pk=req.pk), request.user.pk))


@login_required
def conversation(request: AuthedRequest, pk: int) -> HttpResponse:
    """The talk-now conversation for its two people: the thread's chat, the voice call, and End."""
    req = get_request(request, pk, role="party")
    if req.state != State.CONNECTED:
        return redirect(_where(req, request.user.pk))
    thread = req.thread
    assert thread is not None  # a connected request has its thread (models: the accept makes both together)
    viewer_id = request.user.pk
    lines, more = thread_selectors.history(thread, viewer_id=viewer_id)
    first_visit = thread_selectors.read_state(thread.pk, viewer_id=viewer_id)[0] == 0
    mark = thread_services.mark_read(thread_id=thread.pk, user_id=viewer_id, seq=thread.last_seq)
    names = thread_selectors.member_names(thread.pk)
    names.pop(viewer_id, None)
    is_member = viewer_id == req.member_id
    context = {
        "req": req,
        "thread": thread,
        "lines": lines,
        "more": more,
        "unread_from": thread_selectors.read_state(thread.pk, viewer_id=viewer_id)[0],
        "read_mark": mark,
        "peer_read": thread_selectors.read_state(thread.pk, viewer_id=viewer_id)[1],
        "peers": ", ".join(sorted(names.values()))
        or ("your supporter" if is_member else "the member" if req.member_id else FORMER_MEMBER),
        "open": thread_accepts_messages(thread),
        "body_max": BODY_MAX_LENGTH,
        "is_member": is_member,
        "voice": req.medium == Medium.VOICE,
        "topics": list(req.topics.all()) if not is_member else [],
        "boundaries_open": first_visit,
        **referrals.compose_context(thread, request.user),
    }
    return render(request, "talknow/conversation.html", context)


@login_required
@require_POST
def end(request: AuthedRequest, pk: int) -> HttpResponse:
    req = get_request(request, pk, role="party")
    attempt(request, lambda: services.end(req=req, user=request.user))
    req = TalkNowRequest.objects.get(pk=req.pk)
    if req.state == State.WAITING:
        return redirect(_where(req, request.user.pk))
    if request.user.pk == req.supporter_id and req.contact_id is not None:
        messages.success(request, "The conversation has ended. Please fill in the 30-second contact record.")
    return redirect(str(selectors.status(req, viewer_id=request.user.pk).get("url") or _where(req, request.user.pk)))


@login_required
def closed(request: AuthedRequest, pk: int) -> HttpResponse:
    """The member's close: talk again later, ask for an ongoing peer, or resources."""
    req = get_request(request, pk)
    if req.state != State.ENDED:
        return redirect(_where(req, request.user.pk))
    return render(request, "talknow/closed.html", _common({"req": req}))


@supporter_required
@require_GET
def offers(request: AuthedRequest) -> HttpResponse:
    """A supporter's open talk-now offers, each with Accept."""
    return render(request, "talknow/offers.html", {"offers": list(selectors.open_offers_for(request.user.pk))})


@supporter_required
@require_POST
def accept(request: AuthedRequest, pk: int) -> HttpResponse:
    offer = get_offer(request, pk)
    outcome = services.accept(offer=offer, supporter=request.user)
    if outcome == services.Accepted.WON:
        return redirect("talknow:conversation", pk=offer.request_id)
    if outcome == services.Accepted.TAKEN:
        messages.info(request, "Someone else has it: another supporter accepted first. Thank you for being ready.")
    elif outcome == services.Accepted.BUSY:
        messages.info(request, "You are in another talk-now conversation. End it before you accept another.")
    else:
        messages.info(request, "This request is no longer waiting: the member cancelled it or it has closed.")
    return redirect("talknow:offers")
