"""The one access check for a person's devices: only the person who subscribed a device can see or stop it.

Anyone else gets a 404 and an audited denial: they learn nothing about which devices exist.
"""

from __future__ import annotations

from alongside.audit.access import AuthedRequest, deny_404
from alongside.notifications.models import PushSubscription

DENIED_ACTION = "notifications.device.view"


def get_own_device(request: AuthedRequest, device_id: int) -> PushSubscription:
    device = PushSubscription.objects.filter(pk=device_id, user_id=request.user.pk).first()
    if device is None:
        raise deny_404(request, action=DENIED_ACTION, target_type="notifications.pushsubscription", target_id=device_id)
    return device
