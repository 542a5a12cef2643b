"""Web Push to a person's subscribed devices: the interface talk now, call-backs and alerts call.

``push_to_users`` is what other apps call. It never raises and never delays the caller: the sending happens in a
task after the transaction commits. A payload says only what kind of thing happened ("Someone would like to talk
now") and where to look; never a name, a topic or anything anyone wrote.

The device subscriptions, VAPID signing and sending are being built (issue 10's web push); until they land a
person has no subscribed devices, so there is nobody to push to and this sends nothing.
"""

from __future__ import annotations

from collections.abc import Iterable


def push_to_users(user_ids: Iterable[int], *, title: str, body: str, url: str, tag: str) -> None:
    """Push ``title``/``body`` to every device these people subscribed; tapping it opens ``url`` on the site.

    ``tag`` groups pushes about the same thing, so a newer one replaces an older one on the device
    (e.g. ``"talknow-12"``). Nothing in ``title`` or ``body`` may name or describe anyone.
    """
    del user_ids, title, body, url, tag
