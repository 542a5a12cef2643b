from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from alongside.accounts.models import User
from alongside.directory.models import Workplace
from alongside.library.models import Resource
from alongside.lib.access import coordinator_required


@coordinator_required
def index(request: HttpRequest) -> HttpResponse:
    counts = {
        "members": User.objects.filter(is_active=True, is_supporter=False, is_coordinator=False).count(),
        "supporters": User.objects.filter(is_active=True, is_supporter=True).count(),
        "coordinators": User.objects.filter(is_active=True, is_coordinator=True).count(),
        "resources": Resource.objects.count(),
        "workplaces": Workplace.objects.filter(active=True).count(),
    }
    return render(request, "console/index.html", {"counts": counts})
