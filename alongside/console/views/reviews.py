"""Review points overdue in ongoing connections: who (display names only) and since when."""

from __future__ import annotations

from django.http import HttpResponse

from alongside.audit.access import AuthedRequest, coordinator_required
from alongside.connections.models import REVIEW_OVERDUE_DAYS
from alongside.connections.selectors import overdue_reviews
from alongside.console.views import page


@coordinator_required
def reviews_overdue(request: AuthedRequest) -> HttpResponse:
    return page(
        request,
        "console/reviews_overdue.html",
        {"rows": overdue_reviews(), "days": REVIEW_OVERDUE_DAYS},
        section="reviews",
    )
