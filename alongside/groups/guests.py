"""Debrief guests: people who joined a debrief through its link under a first name, without an account of their own.

A guest may open only their debrief's page (and its after page), its thread page, its video room, signing out, the public pages and
"I need help now"; everything else answers an audited 404 (as if it did not exist), and a guest is never sent to
finish a profile. Their thread socket is the thread's own check (active members only).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from alongside.audit.access import deny_404
from alongside.groups.models import Membership, MembershipState

# Pages open to everyone, guests included (a guest in distress reaches help now; signing out always works).
_OPEN_PREFIXES = ("/static/", "/accounts/logout/", "/debriefs/join/")
_OPEN_EXACT = frozenset(
    {
        "/",
        "/about/",
        "/offline/",
        "/help-now/",
        "/healthz",
        "/favicon.ico",
        "/manifest.webmanifest",
        "/service-worker.js",
    }
)
_DEBRIEF_PAGE = re.compile(r"^/debriefs/(\d+)/(?:after/)?$")
_THREAD_PAGE = re.compile(r"^/threads/(\d+)/$")
_ROOM_PAGE = re.compile(r"^/groups/(\d+)/room/$")
GUEST_ACTION = "groups.debrief.guest_elsewhere"


def guest_may_open(user_id: int, path: str) -> bool:
    if path in _OPEN_EXACT or path.startswith(_OPEN_PREFIXES):
        return True
    rows = Membership.objects.filter(user_id=user_id, state=MembershipState.ACTIVE)
    if match := _DEBRIEF_PAGE.match(path):
        return rows.filter(group_id=int(match.group(1))).exists()
    if match := _THREAD_PAGE.match(path):
        return rows.filter(group__thread_id=int(match.group(1))).exists()
    if match := _ROOM_PAGE.match(path):  # the debrief's video room (its own check says when it is open)
        return rows.filter(group_id=int(match.group(1))).exists()
    return False


class GuestMiddleware:
    """Confines a debrief guest to their debrief (see the module's words). Before RoleSecurityMiddleware."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            request.path not in _OPEN_EXACT
            and user is not None
            and user.is_authenticated
            and user.is_guest
            and not guest_may_open(user.pk, request.path)
        ):
            raise deny_404(request, action=GUEST_ACTION)
        return self.get_response(request)
