"""The safety alerts a coordinator's every page shows on load (open concerns they were alerted to that nobody has
acknowledged); the notifications socket adds and removes them live (static/js/safety-alerts.js)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from alongside.safety.selectors import alerts_for


def alerts(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not getattr(user, "is_coordinator", False):
        return {}
    return {"safety_alerts": lambda: alerts_for(user.pk)}  # read only by pages that show the banner
