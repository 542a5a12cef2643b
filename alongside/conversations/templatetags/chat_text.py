"""Message text as text: escaped, with http(s) addresses made into safe links and nothing else."""

from __future__ import annotations

import re
from typing import Any

from django import template
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

from alongside.conversations.selectors import unread_threads

register = template.Library()

URL = re.compile(r"https?://[^\s<>\"']+", re.IGNORECASE)
TRAILING = ".,;:!?)]}"


@register.filter
def chat_text(value: str) -> SafeString:
    """The same rules as static/js/chat.js: every character escaped; only http and https become links."""
    out: list[str] = []
    last = 0
    for match in URL.finditer(value or ""):
        url = match.group(0)
        trimmed = url.rstrip(TRAILING)
        end = match.start() + len(trimmed)
        out.append(escape(value[last : match.start()]))
        out.append(format_html('<a href="{}" rel="noopener noreferrer" target="_blank">{}</a>', trimmed, trimmed))
        last = end
    out.append(escape((value or "")[last:]))
    return mark_safe("".join(out))  # noqa: S308 - every piece above is escaped


@register.inclusion_tag("conversations/_unread.html")
def unread_messages(user: Any) -> dict[str, Any]:
    if not getattr(user, "is_authenticated", False):
        return {"threads": []}
    return {"threads": unread_threads(user.pk)}
