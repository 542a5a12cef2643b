from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from alongside.audit.access import AuthedRequest
from alongside.notifications.selectors import recent_for
from alongside.notifications.services import mark_all_read


@login_required
def index(request: AuthedRequest) -> HttpResponse:
    return render(request, "notifications/index.html", {"notifications": recent_for(request.user.pk)})


@login_required
@require_POST
def read_all(request: AuthedRequest) -> HttpResponse:
    mark_all_read(user_id=request.user.pk)
    return redirect("notifications:index")
