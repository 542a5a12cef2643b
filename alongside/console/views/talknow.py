"""Talk-now requests waiting for a supporter: where the coordinators' alert points. No names, no topics: how long
each has waited, how, how far it has gone, and who is on shift to take it."""

from __future__ import annotations

from django.http import HttpResponse

from alongside.audit.access import AuthedRequest, coordinator_required
from alongside.console.views import page
from alongside.talknow.selectors import expected_wait, recent_outcomes, waiting_requests


@coordinator_required
def talknow_waiting(request: AuthedRequest) -> HttpResponse:
    rows = [
        {"req": req, "offers": len(req.offers.all()), "open_offers": sum(o.outcome == "open" for o in req.offers.all())}
        for req in waiting_requests()
    ]
    return page(
        request,
        "console/talknow.html",
        {"rows": rows, "wait": expected_wait(), "outcomes": recent_outcomes()},
        section="talknow",
    )
