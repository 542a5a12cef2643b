"""The phone line as coordinators see it: on or off (and what to set), the addresses to give the provider, who can
be rung (a number "set" or "not set", never the number), and the last 30 days' calls by outcome."""

from __future__ import annotations

from django.http import HttpResponse
from django.urls import reverse
from django.views.decorators.http import require_GET

from alongside.accounts.models import User
from alongside.audit.access import AuthedRequest, coordinator_required
from alongside.console.views import page
from alongside.phoneline import selectors
from alongside.phoneline.line import line_settings, missing_settings, public_url


@coordinator_required
@require_GET
def phone_line(request: AuthedRequest) -> HttpResponse:
    line = line_settings()
    supporters = list(User.objects.filter(is_supporter=True, is_active=True).select_related("profile").order_by("id"))
    with_number = selectors.has_number_ids(s.pk for s in supporters)
    return page(
        request,
        "console/phoneline.html",
        {
            "line": line,
            "missing": missing_settings(),
            "voice_url": public_url(reverse("phoneline:hook_voice")) if line else "",
            "status_url": public_url(reverse("phoneline:hook_status")) if line else "",
            "supporters": [(s, s.pk in with_number) for s in supporters],
            "summary": selectors.line_summary(),
        },
        section="phoneline",
    )
