"""The provider's webhooks. Each one is a POST from the provider, without a session or a CSRF token, so each
checks the provider's signature over the exact public URL and parameters first: unsigned or wrongly signed → 403
and an audit event. The caller's number (``From``) is read once, by the call-back keypad, and never stored
anywhere else or logged."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseForbidden
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from alongside.audit.models import Outcome
from alongside.audit.services import record
from alongside.phoneline import flows
from alongside.phoneline.line import current, public_url
from alongside.phoneline.provider import Step

Hook = Callable[..., list[Step]]


def webhook(view: Hook) -> Callable[..., HttpResponse]:
    @csrf_exempt
    @require_POST
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        provider = current()
        if provider is None or not provider.is_genuine(request, url=public_url(request.get_full_path())):
            record(
                "phoneline.webhook.refused",
                outcome=Outcome.DENIED,
                request=request,
                details={
                    "path": request.path[:200],
                    "signed": "X-Twilio-Signature" in request.headers,
                    "line_on": provider is not None,
                },
            )
            return HttpResponseForbidden("Not signed by the phone line's provider.", content_type="text/plain")
        return HttpResponse(provider.render(view(request, *args, **kwargs)), content_type=provider.content_type)

    return wrapped


def _seconds(request: HttpRequest, name: str) -> int | None:
    raw = request.POST.get(name, "")
    return int(raw) if raw.isdigit() else None


@webhook
def voice(request: HttpRequest) -> list[Step]:
    return flows.answer_inbound(call_sid=request.POST.get("CallSid", "")[:64]) if request.POST.get("CallSid") else []


@webhook
def wave(request: HttpRequest, pk: int, wave: int) -> list[Step]:
    return flows.wave_finished(call_id=pk, wave=wave, duration=_seconds(request, "DialCallDuration"))


@webhook
def screen(request: HttpRequest, pk: int, supporter_id: int) -> list[Step]:
    return flows.screen(call_id=pk, supporter_id=supporter_id)


@webhook
def screen_answer(request: HttpRequest, pk: int, supporter_id: int) -> list[Step]:
    return flows.screen_answered(call_id=pk, supporter_id=supporter_id, digits=request.POST.get("Digits", ""))


@webhook
def keypad(request: HttpRequest, pk: int) -> list[Step]:
    return flows.leave_callback(
        call_id=pk, digits=request.POST.get("Digits", ""), from_number=request.POST.get("From", "")
    )


@webhook
def bridge(request: HttpRequest, pk: int) -> list[Step]:
    return flows.bridge_answered(call_id=pk, digits=request.POST.get("Digits", ""))


@webhook
def bridge_done(request: HttpRequest, pk: int) -> list[Step]:
    return flows.bridge_finished(
        call_id=pk, dial_status=request.POST.get("DialCallStatus", ""), duration=_seconds(request, "DialCallDuration")
    )


@webhook
def status(request: HttpRequest) -> list[Step]:
    sid = request.POST.get("CallSid", "")
    if sid:
        flows.status_changed(
            call_sid=sid[:64], status=request.POST.get("CallStatus", ""), duration=_seconds(request, "CallDuration")
        )
    return []
