"""Open talk-now offers for a supporter's every page: the banner shows them on load; the notifications socket
adds and removes them live (static/js/talknow-offers.js)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from alongside.talknow.selectors import open_offers_for


def offers(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not getattr(user, "is_supporter", False):
        return {}
    return {"talknow_offers": lambda: list(open_offers_for(user.pk))}  # read only by pages that show the banner
