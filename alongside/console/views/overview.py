from __future__ import annotations

from django.http import HttpResponse

from alongside.audit.access import AuthedRequest, coordinator_required
from alongside.console.selectors import overview_counts
from alongside.console.views import page


@coordinator_required
def index(request: AuthedRequest) -> HttpResponse:
    return page(request, "console/index.html", {"counts": overview_counts()}, section="overview")
