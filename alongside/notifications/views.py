from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from alongside.notifications.selectors import recent_for
from alongside.notifications.services import mark_all_read


@login_required
def index(request: HttpRequest) -> HttpResponse:
    return render(request, "notifications/index.html", {"notifications": recent_for(request.user.pk)})


@login_required
@require_POST
def read_all(request: HttpRequest) -> HttpResponse:
    mark_all_read(user_id=request.user.pk)
    return redirect("notifications:index")
