"""The thread page: history rendered on the server, then static/js/chat.js takes over over the websocket."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from alongside.audit.access import AuthedRequest
from alongside.audit.services import denied
from alongside.connections.access import get_connection
from alongside.connections.models import Side
from alongside.connections.selectors import review_state
from alongside.conversations import referrals, selectors, services
from alongside.conversations.access import get_thread_for_member, thread_accepts_messages, thread_header
from alongside.conversations.models import BODY_MAX_LENGTH, CLIENT_KEY_MAX_LENGTH
from alongside.conversations.notices import mark_thread_notifications_read
from alongside.lib.views import attempt


@login_required
def thread(request: AuthedRequest, pk: int) -> HttpResponse:
    found = get_thread_for_member(request.user, pk, request=request)
    viewer_id = request.user.pk
    lines, more = selectors.history(found, viewer_id=viewer_id)
    unread_from = selectors.read_state(found.pk, viewer_id=viewer_id)[0]
    mark = services.mark_read(thread_id=found.pk, user_id=viewer_id, seq=found.last_seq)
    mark_thread_notifications_read(thread_id=found.pk, user_id=viewer_id)
    peers = selectors.peer_names(found.pk, viewer_id=viewer_id)
    connection = found.connection
    review = None
    if connection is not None and connection.is_active:
        side = Side.MEMBER if viewer_id == connection.member_id else Side.SUPPORTER
        review = review_state(connection, side)
    context = {
        "header": thread_header(found, request.user),
        "review": review,
        "partner_name": peers,
        "thread": found,
        "lines": lines,
        "more": more,
        "unread_from": unread_from,
        "read_mark": mark,
        "peer_read": selectors.read_state(found.pk, viewer_id=viewer_id)[1],
        "peers": peers,
        "open": thread_accepts_messages(found),
        "connection": found.connection,
        "body_max": BODY_MAX_LENGTH,
        "boundaries_open": unread_from == 0,
        **referrals.compose_context(found, request.user),
    }
    return render(request, "conversations/thread.html", context)


@login_required
def connection_thread(request: AuthedRequest, pk: int) -> HttpResponse:
    """The connection's thread, made on first use."""
    connection = get_connection(request, pk)
    found = services.get_or_create_thread_for_connection(connection=connection)
    return redirect("conversations:thread", pk=found.pk)


REFERRAL_DENIED = "conversations.referral.send"


@login_required
@require_POST
def send_referral(request: AuthedRequest, pk: int) -> HttpResponse:
    """The supporter sends a referral card (one click). With htmx the list is redrawn in place (the card itself
    arrives over the chat socket); without, back to the page it was sent from."""
    found = get_thread_for_member(request.user, pk, request=request)
    if not referrals.can_send_referrals(found, request.user):
        denied(REFERRAL_DENIED, request=request, target_type="conversations.thread", target_id=pk)
        raise PermissionDenied
    resource = request.POST.get("resource", "")
    nxt = request.POST.get("next", "")
    if not (nxt.startswith("/") and url_has_allowed_host_and_scheme(nxt, allowed_hosts={request.get_host()})):
        nxt = reverse("conversations:thread", kwargs={"pk": found.pk})
    sent = attempt(
        request,
        lambda: referrals.send_referral(
            thread=found,
            sender=request.user,
            resource_id=int(resource) if resource.isdigit() else 0,
            client_key=request.POST.get("key", "")[:CLIENT_KEY_MAX_LENGTH],
            request=request,
        ),
        done="Card sent.",
    )
    if request.headers.get("HX-Request"):
        # The list is redrawn in place: its status line says what happened, and the message is used up here
        # (iterating the storage marks it read) rather than shown again on the next page.
        said = " ".join(str(message) for message in messages.get_messages(request))
        context = {
            "thread": found,
            "peers": ", ".join(
                sorted(n for uid, n in selectors.member_names(found.pk).items() if uid != request.user.pk)
            )
            or "your peer",
            "referral_open": True,
            "referral_status": said or ("Card sent." if sent is not None else ""),
            "referral_next": nxt,
            **referrals.compose_context(found, request.user),
        }
        return render(request, "conversations/_referrals.html", context)
    return redirect(nxt)
