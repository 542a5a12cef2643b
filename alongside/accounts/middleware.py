"""Per-request rules tied to a person's role.

- Supporters, coordinators and superusers must enrol MFA before any other page opens,
  and their sessions end after 30 idle minutes.
- Everyone completes a profile (at least a display name) before using the service, except a debrief guest (who has
  none, and whom ``alongside.groups.guests.GuestMiddleware`` keeps to their debrief).
"""

from __future__ import annotations

from collections.abc import Callable

from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

# Pages anyone signed in can always reach: signing in and out, MFA enrolment, the public pages. "I need help now"
# is among them: someone in crisis is never sent to finish a profile or enrol MFA first.
_ALWAYS_OPEN = ("/accounts/", "/static/", "/healthz", "/favicon.ico")
_PUBLIC_EXACT = ("/", "/about/", "/offline/", "/help-now/")
# The installable app's files are fetched by the browser beside every page: they never read the session, so they
# never wait on (or hold up) a page's own session write.
SESSIONLESS_PATHS = frozenset({"/manifest.webmanifest", "/service-worker.js"})


def _is_open(path: str) -> bool:
    return path in _PUBLIC_EXACT or path.startswith(_ALWAYS_OPEN)


def has_totp(user_id: int) -> bool:
    return Authenticator.objects.filter(user_id=user_id, type=Authenticator.Type.TOTP).exists()


class RoleSecurityMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path in SESSIONLESS_PATHS:
            return self.get_response(request)
        user = request.user
        if user.is_authenticated:
            path = request.path
            if user.needs_mfa:
                request.session.set_expiry(settings.ALONGSIDE_STAFF_IDLE_SECONDS)
                if not _is_open(path) and not has_totp(user.pk):
                    messages.info(request, "Your role needs two-factor authentication. Set it up to continue.")
                    return redirect("mfa_activate_totp")
            setup = reverse("accounts:setup")
            if not _is_open(path) and path != setup and not user.is_guest and not _profile_complete(user):
                return redirect(f"{setup}?next={path}" if request.method == "GET" else setup)
        return self.get_response(request)


def _profile_complete(user: object) -> bool:
    profile = getattr(user, "profile", None)
    return profile is not None and profile.completed_at is not None
