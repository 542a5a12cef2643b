from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from alongside.audit.access import AuthedRequest
from alongside.lib.ratelimit import Window
from alongside.notifications.access import get_own_device
from alongside.notifications.forms import DeviceForm
from alongside.notifications.push import public_key, push_enabled
from alongside.notifications.selectors import devices_of, recent_for
from alongside.notifications.services import mark_all_read, save_device, send_test_alert, stop_device

TEST_ALERTS = Window("push.test", limit=5, seconds=600)


@login_required
def index(request: AuthedRequest) -> HttpResponse:
    return render(request, "notifications/index.html", {"notifications": recent_for(request.user.pk)})


@login_required
@require_POST
def read_all(request: AuthedRequest) -> HttpResponse:
    mark_all_read(user_id=request.user.pk)
    return redirect("notifications:index")


@login_required
@require_GET
def devices(request: AuthedRequest) -> HttpResponse:
    """Alerts on the person's devices: turn them on for this one, see the others, stop any, send a test."""
    return render(
        request,
        "notifications/devices.html",
        {"devices": devices_of(request.user.pk), "push_enabled": push_enabled(), "public_key": public_key()},
    )


def _refused(errors: dict[str, list[str]]) -> JsonResponse:
    return JsonResponse({"errors": errors}, status=400)


@login_required
@require_POST
def device_add(request: AuthedRequest) -> JsonResponse:
    """The browser posts its subscription as JSON (with the CSRF token in a header); 201, or 400 and why."""
    if not push_enabled():
        return _refused({"__all__": ["Alerts to devices are not set up on this service."]})
    not_json = _refused({"__all__": ["The browser did not send its subscription as JSON."]})
    if request.content_type != "application/json":
        return not_json  # a form post (the CSRF check has read its body already)
    try:
        data = json.loads(request.body or b"")
    except ValueError:
        return not_json
    form = DeviceForm.from_json(data)
    if not form.is_valid():
        return _refused(form.error_dict())
    try:
        device = save_device(
            user=request.user,
            endpoint=form.cleaned_data["endpoint"],
            p256dh=form.cleaned_data["p256dh"],
            auth=form.cleaned_data["auth"],
            user_agent=request.headers.get("User-Agent", ""),
        )
    except ValidationError as exc:
        return _refused({"__all__": exc.messages})
    return JsonResponse({"id": device.pk, "label": device.label}, status=201)


@login_required
@require_POST
def device_stop(request: AuthedRequest, pk: int) -> HttpResponse:
    device = get_own_device(request, pk)
    stop_device(user=request.user, device=device)
    messages.success(request, f"Alerts stopped on {device.label}.")
    return redirect("notifications:devices")


@login_required
@require_POST
def device_test(request: AuthedRequest) -> HttpResponse:
    if TEST_ALERTS.hit(request.user.pk):
        messages.error(request, "You have sent several test alerts just now. Wait a few minutes, then try again.")
    elif not push_enabled():
        messages.error(request, "Alerts to devices are not set up on this service.")
    else:
        count = send_test_alert(user_id=request.user.pk)
        if count:
            messages.success(request, f"A test alert is on its way to your {count} device{'s' if count > 1 else ''}.")
        else:
            messages.error(request, "No device gets your alerts yet: turn them on for this device first.")
    return redirect("notifications:devices")
