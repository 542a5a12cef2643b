"""The Django admin opens only for superusers who signed in through allauth with MFA."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib.admin import AdminSite
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

from alongside.accounts.middleware import has_totp


def guard_admin(site: AdminSite) -> None:
    def login(request: HttpRequest, extra_context: Any = None) -> HttpResponse:
        # Django's own login form would bypass allauth's rate limits and MFA.
        return HttpResponseRedirect(f"{reverse('account_login')}?{urlencode({'next': request.get_full_path()})}")

    def has_permission(request: HttpRequest) -> bool:
        user = request.user
        return bool(user.is_active and user.is_superuser and has_totp(user.pk))

    site.login = login  # type: ignore[method-assign]
    site.has_permission = has_permission  # type: ignore[method-assign]
