from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from alongside.lib.time import now
from alongside.service.selectors import snapshot


def service(request: HttpRequest) -> dict[str, Any]:
    """The service's name, hours and crisis lines, for the crisis strip on every page."""
    snap = snapshot()
    return {"service": snap.settings, "service_snapshot": snap, "service_open_now": snap.is_open_at(now())}
