"""The Permissions-Policy header on every answer (Django has no setting for it): powerful browser features the
service does not use are turned off for it and for anything that might be embedded in it.

``settings.PERMISSIONS_POLICY`` maps a feature to its allow list: ``[]`` for none, ``["self"]`` for the site itself.
The middleware sits above the static files, so their answers carry it too.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse


def policy_header(policy: dict[str, list[str]]) -> str:
    """``{"camera": [], "microphone": ["self"]}`` -> ``camera=(), microphone=(self)``."""
    return ", ".join(f"{feature}=({' '.join(allowed)})" for feature, allowed in policy.items())


class PermissionsPolicyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.header = policy_header(settings.PERMISSIONS_POLICY)

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", self.header)
        return response
