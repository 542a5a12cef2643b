"""The home page at ``/``: for visitors, what peer support here is; for a signed-in person, the home of their role."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from alongside.directory.models import CareerStage
from alongside.homes import selectors
from alongside.service.selectors import formats_not_yet_available, formats_offered


def home(request: HttpRequest) -> HttpResponse:
    """For visitors, what peer support here is and is not; for a signed-in person, the home of their role."""
    user = request.user
    if not user.is_authenticated:
        return render(
            request,
            "homes/visitor.html",
            {
                "career_stages": CareerStage.choices,
                "formats": formats_offered(),
                "formats_to_come": formats_not_yet_available(),
            },
        )
    if getattr(getattr(user, "profile", None), "completed_at", None) is None:
        return redirect("accounts:setup")
    role = selectors.choose_role(user, request.session, request.GET.get("as"))
    roles = selectors.roles_of(user)
    context = {
        "role": role,
        "roles": [(r, selectors.ROLE_LABELS[r]) for r in roles] if len(roles) > 1 else [],
        "home": selectors.BUILDERS[role](user),
    }
    return render(request, f"homes/{role}.html", context)
