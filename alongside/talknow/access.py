"""One access helper per object type, the first line of every view (and the socket's check).

Outsiders get a 404 and an audited denial: a member never learns of another's request, and a supporter who was not
offered a request can't see or accept it.
"""

from __future__ import annotations

from typing import Any, Literal

from django.http import Http404, HttpRequest

from alongside.audit.access import deny_404
from alongside.audit.models import Outcome as AuditOutcome
from alongside.audit.services import record
from alongside.conversations.models import Thread
from alongside.talknow.models import TalkNowOffer, TalkNowRequest

REQUEST_ACTION = "talknow.request.view"
OFFER_ACTION = "talknow.offer.view"


def _find_request(user: Any, pk: int, role: str) -> TalkNowRequest | None:
    user_id = getattr(user, "pk", None) if getattr(user, "is_authenticated", False) else None
    if user_id is None or not getattr(user, "is_active", False):
        return None
    found = TalkNowRequest.objects.select_related("thread", "contact").filter(pk=pk).first()
    if found is None:
        return None
    if found.member_id == user_id:
        return found
    if role == "party" and found.supporter_id == user_id and getattr(user, "is_supporter", False):
        return found
    return None


def get_request(request: HttpRequest, pk: int, *, role: Literal["member", "party"] = "member") -> TalkNowRequest:
    """A talk-now request: for the member who made it; ``role="party"`` also for the supporter who accepted it
    (while they are a supporter)."""
    found = _find_request(request.user, pk, role)
    if found is None:
        raise deny_404(request, action=REQUEST_ACTION, target_type="talknow.talknowrequest", target_id=pk)
    return found


def get_request_for_socket(user: Any, pk: int, *, via: str) -> TalkNowRequest:
    """The same rule for the request's socket (the member, and the supporter who accepted it)."""
    found = _find_request(user, pk, "party")
    if found is None:
        record(
            REQUEST_ACTION,
            actor=user if getattr(user, "is_authenticated", False) else None,
            target_type="talknow.talknowrequest",
            target_id=pk,
            outcome=AuditOutcome.DENIED,
            details={"path": via[:200], "method": "WEBSOCKET"},
        )
        raise Http404()
    return found


def get_offer(request: HttpRequest, pk: int, *, role: Literal["supporter"] = "supporter") -> TalkNowOffer:
    """An offer, for the supporter it was made to only (while they are a supporter)."""
    found = (
        TalkNowOffer.objects.select_related("request")
        .filter(pk=pk, supporter_id=request.user.pk or 0, supporter__is_supporter=True)
        .first()
    )
    if found is None:
        raise deny_404(request, action=OFFER_ACTION, target_type="talknow.talknowoffer", target_id=pk)
    return found


def thread_open_to(thread: Thread, user: Any) -> bool:
    """The rule for talk-now threads (registered with ``conversations.access``; calls use it too): the member who
    asked, and the supporter who accepted while they are a supporter."""
    found = TalkNowRequest.objects.filter(thread_id=thread.pk).values_list("member_id", "supporter_id").first()
    if found is None:
        return False
    member_id, supporter_id = found
    return bool(user.pk == member_id or (user.pk == supporter_id and getattr(user, "is_supporter", False)))


def thread_supporter(thread: Thread, user: Any) -> bool:
    """The supporter who accepted the talk-now request of this thread: the side that may send referral cards."""
    return TalkNowRequest.objects.filter(thread_id=thread.pk, supporter_id=user.pk).exists()
