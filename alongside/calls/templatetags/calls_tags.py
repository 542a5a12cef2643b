"""``{% call_panel thread %}``: the call screen, wherever a thread is shown."""

from __future__ import annotations

from typing import Any

from django import template

from alongside.calls.selectors import call_panel as panel_for
from alongside.conversations.models import Thread

register = template.Library()


@register.inclusion_tag("calls/_call_panel.html", takes_context=True)
def call_panel(context: dict[str, Any], thread: Thread) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None) or context.get("user")
    return {"panel": panel_for(thread, user)}
