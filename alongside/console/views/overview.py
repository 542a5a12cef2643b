from __future__ import annotations

from django.http import HttpResponse

from alongside.accounts.models import User
from alongside.console.views import page
from alongside.directory.models import Workplace
from alongside.lib.access import AuthedRequest, coordinator_required
from alongside.library.models import Resource


@coordinator_required
def index(request: AuthedRequest) -> HttpResponse:
    counts = {
        "members": User.objects.filter(is_active=True, is_supporter=False, is_coordinator=False).count(),
        "supporters": User.objects.filter(is_active=True, is_supporter=True).count(),
        "coordinators": User.objects.filter(is_active=True, is_coordinator=True).count(),
        "resources": Resource.objects.count(),
        "crisis_lines": Resource.objects.filter(is_crisis=True).count(),
        "workplaces": Workplace.objects.filter(active=True).count(),
    }
    return page(request, "console/index.html", {"counts": counts}, section="overview")
