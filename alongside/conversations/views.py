"""The thread page: history rendered on the server, then static/js/chat.js takes over over the websocket."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render

from alongside.audit.access import AuthedRequest
from alongside.connections.access import get_connection
from alongside.conversations import selectors, services
from alongside.conversations.access import get_thread_for_member, thread_accepts_messages
from alongside.conversations.models import BODY_MAX_LENGTH
from alongside.conversations.notices import mark_thread_notifications_read


@login_required
def thread(request: AuthedRequest, pk: int) -> HttpResponse:
    found = get_thread_for_member(request.user, pk, request=request)
    viewer_id = request.user.pk
    lines, more = selectors.history(found, viewer_id=viewer_id)
    unread_from = selectors.read_state(found.pk, viewer_id=viewer_id)[0]
    mark = services.mark_read(thread_id=found.pk, user_id=viewer_id, seq=found.last_seq)
    mark_thread_notifications_read(thread_id=found.pk, user_id=viewer_id)
    context = {
        "thread": found,
        "lines": lines,
        "more": more,
        "unread_from": unread_from,
        "read_mark": mark,
        "peer_read": selectors.read_state(found.pk, viewer_id=viewer_id)[1],
        "peers": selectors.peer_names(found.pk, viewer_id=viewer_id),
        "open": thread_accepts_messages(found),
        "connection": found.connection,
        "body_max": BODY_MAX_LENGTH,
    }
    return render(request, "conversations/thread.html", context)


@login_required
def connection_thread(request: AuthedRequest, pk: int) -> HttpResponse:
    """The connection's thread, made on first use."""
    connection = get_connection(request, pk)
    found = services.get_or_create_thread_for_connection(connection=connection)
    return redirect("conversations:thread", pk=found.pk)
