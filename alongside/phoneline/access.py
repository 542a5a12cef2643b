"""The access helpers for call-backs: the first line of every call-back view.

A supporter sees a call-back they took, or one offered to them (they hold a place on a shift overlapping its
window); everyone else, coordinators included, gets a 404 and an audited denial. The caller reaches their own
call-back through its private link alone (only a hash of the link's token is kept).
"""

from __future__ import annotations

from django.http import HttpRequest

from alongside.audit.access import deny_404
from alongside.phoneline import selectors
from alongside.phoneline.models import Callback
from alongside.phoneline.services import token_hash


def get_callback_for_supporter(request: HttpRequest, pk: int) -> Callback:
    found = Callback.objects.filter(pk=pk).prefetch_related("topics").first()
    user_id = int(request.user.pk or 0)
    if found is None or not (found.taken_by_id == user_id or selectors.is_offered_to(found, user_id)):
        raise deny_404(request, action="phoneline.callback.view", target_type="phoneline.callback", target_id=pk)
    return found


def get_callback_by_token(request: HttpRequest, token: str) -> Callback:
    found = Callback.objects.filter(token_hash=token_hash(token)).first() if 20 <= len(token) <= 100 else None
    if found is None:
        raise deny_404(request, action="phoneline.callback.link", target_type="phoneline.callback")
    return found
