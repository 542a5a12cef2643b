"""The call screen on a page of its own, for when it is not shown on the thread page."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render

from alongside.audit.access import AuthedRequest
from alongside.calls.access import get_call_party
from alongside.calls.selectors import call_panel


@login_required
def call_page(request: AuthedRequest, thread_id: int) -> HttpResponse:
    party = get_call_party(request.user, thread_id, request=request)
    return render(
        request, "calls/call_page.html", {"thread": party.thread, "panel": call_panel(party.thread, request.user)}
    )
