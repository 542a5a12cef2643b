"""The console's home: the dashboard (live: the figures are fetched again when something changes) and the way in
to everything else."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render

from alongside.audit.access import AuthedRequest, coordinator_required
from alongside.console.dashboard import dashboard
from alongside.console.selectors import overview_counts
from alongside.console.views import page


@coordinator_required
def index(request: AuthedRequest) -> HttpResponse:
    return page(request, "console/index.html", {"counts": overview_counts(), "board": dashboard()}, section="overview")


@coordinator_required
def dashboard_fragment(request: AuthedRequest) -> HttpResponse:
    """The dashboard's figures alone, for the page's script to swap in when the notifications socket says something
    changed (and once a minute, for the waits that grow by themselves)."""
    return render(request, "console/_dashboard.html", {"board": dashboard()})
