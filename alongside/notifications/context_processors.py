from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from alongside.notifications.selectors import unread_count


def badge(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unread_notifications": unread_count(user.pk), "push_enabled": settings.ALONGSIDE_PUSH_ENABLED}
