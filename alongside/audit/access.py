"""Role checks for views, beside the trail that records each denial. Object checks live beside each app
(``<app>/access.py``) and deny through ``deny_404`` here.

Outsiders to an object get 404; a signed-in person without the role gets 403. Every
denial is audited.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import TYPE_CHECKING, Any, TypeVar

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse

from alongside.audit.services import denied

if TYPE_CHECKING:
    from alongside.accounts.models import User

V = TypeVar("V", bound=Callable[..., HttpResponse])


class AuthedRequest(HttpRequest):
    """The request type of views behind ``login_required``: ``user`` is a real User."""

    user: User


def deny_404(request: HttpRequest, *, action: str, target_type: str = "", target_id: str | int = "") -> Http404:
    """Audit a denial and return the 404 to raise: outsiders learn nothing about what exists."""
    denied(action, request=request, target_type=target_type, target_id=target_id)
    return Http404()


def require_role(request: HttpRequest, role: str) -> None:
    user = request.user
    if not getattr(user, f"is_{role}", False):
        denied(f"access.{role}_area", request=request)
        raise PermissionDenied(f"This page is for {role}s.")


def role_required(role: str) -> Callable[[V], V]:
    def decorator(view: V) -> V:
        @login_required
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            require_role(request, role)
            return view(request, *args, **kwargs)

        return wrapped  # type: ignore[return-value]

    return decorator


coordinator_required = role_required("coordinator")
supporter_required = role_required("supporter")
