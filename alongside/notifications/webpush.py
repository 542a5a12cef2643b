"""Sending one push message to one device: VAPID-signed, encrypted for the device (aes128gcm), through pywebpush.

Each device has its own task (``tasks.send_push``), so a slow or failing push service never delays another
device. A device its push service says is gone (404, 410) is dropped. Any other failure backs off
(``BACKOFF``; a push service's longer Retry-After is honoured) and the message is tried again while it is still
worth showing (its TTL); a device that fails ``GIVE_UP_AFTER`` times in a row, which takes about a day, is dropped.
Logs name the device's id and the outcome only: never the endpoint, the keys or the payload.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import math
import re
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, TypedDict
from urllib.parse import urlsplit

import requests
from django.conf import settings
from django.db.models import F
from py_vapid import Vapid
from pywebpush import WebPushException, webpush

from alongside.lib.time import now
from alongside.notifications.devices import endpoint_problem
from alongside.notifications.models import PushSubscription

logger = logging.getLogger(__name__)

# Seconds to wait after the 1st, 2nd, ... failure in a row: about 22 hours in all before the 8th drops the device.
BACKOFF = (60, 5 * 60, 15 * 60, 60 * 60, 3 * 3600, 6 * 3600, 12 * 3600)
GIVE_UP_AFTER = len(BACKOFF) + 1
CONNECT_TIMEOUT = 5.0
VAPID_LIFETIME = dt.timedelta(hours=12)  # RFC 8292 allows at most 24 hours
GONE_STATUSES = {404, 410}
URGENCIES = ("very-low", "low", "normal", "high")
_TOPIC = re.compile(r"^[A-Za-z0-9_-]{1,32}$")


class Message(TypedDict):
    """What a push task carries. ``title``/``body``/``url``/``tag`` are the whole payload the device sees."""

    title: str
    body: str
    url: str
    tag: str
    urgency: str
    ttl: int
    expires_at: float  # a POSIX timestamp: not worth showing after this


class Outcome(StrEnum):
    SENT = "sent"
    GONE = "gone"  # the device was dropped (or had been stopped already)
    RETRY = "retry"  # failed; tried again at ``retry_at``
    FAILED = "failed"  # failed, and the message will be stale before the device may be tried again
    DROPPED = "dropped"  # failed too many times in a row: the device was dropped
    EXPIRED = "expired"  # the message was stale before it could be sent
    OFF = "off"  # push is not set up on this service


@dataclass(frozen=True)
class Result:
    outcome: Outcome
    retry_at: dt.datetime | None = None
    status: int | None = None


def payload(message: Message) -> str:
    """The JSON the device decrypts: the four fields and nothing else."""
    return json.dumps(
        {"title": message["title"], "body": message["body"], "url": message["url"], "tag": message["tag"]},
        ensure_ascii=False,
        separators=(",", ":"),
    )


def origin_of(endpoint: str) -> str:
    """The VAPID audience: the push service's scheme, host and port."""
    parts = urlsplit(endpoint)
    return f"{parts.scheme}://{parts.netloc}"


class _NoRedirects(requests.Session):
    """A push service answers; it never sends the request on elsewhere (a redirect could point anywhere)."""

    def request(self, method: Any, url: Any, *args: Any, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        kwargs["allow_redirects"] = False
        return super().request(method, url, *args, **kwargs)


def deliver(subscription_id: int, message: Message, *, at: dt.datetime | None = None) -> Result:
    """Send ``message`` to one device now, or say when to try again."""
    moment = at or now()
    keys = settings.VAPID_KEYS
    if keys is None:
        return Result(Outcome.OFF)
    device = PushSubscription.objects.filter(pk=subscription_id, user__is_active=True).first()
    if device is None:
        return Result(Outcome.GONE)
    expires_at = dt.datetime.fromtimestamp(message["expires_at"], tz=dt.UTC)
    if moment >= expires_at:
        return Result(Outcome.EXPIRED)
    if device.next_attempt_at is not None and device.next_attempt_at > moment:
        # Backing off after a failure: this message waits for the next try, if it is still worth showing then.
        if device.next_attempt_at < expires_at:
            return Result(Outcome.RETRY, retry_at=device.next_attempt_at)
        return Result(Outcome.EXPIRED)
    if endpoint_problem(device.endpoint) is not None:
        # The list of push services changed since the device subscribed: it can no longer be reached.
        device.delete()
        logger.info("push device=%s dropped: its push service is no longer allowed", subscription_id)
        return Result(Outcome.GONE)
    # What is left of the message's time to live: a retry asks the push service to keep it only that long.
    ttl = max(0, min(message["ttl"], math.ceil((expires_at - moment).total_seconds())))
    headers = {"Urgency": message["urgency"]}
    if _TOPIC.match(message["tag"]):
        headers["Topic"] = message["tag"]  # a newer message with the same tag replaces one still waiting
    claims: dict[str, str | int] = {
        "sub": settings.VAPID_SUBJECT,
        "aud": origin_of(device.endpoint),
        "exp": int((moment + VAPID_LIFETIME).timestamp()),
    }
    session = _NoRedirects()
    try:
        response = webpush(
            subscription_info={"endpoint": device.endpoint, "keys": {"p256dh": device.p256dh, "auth": device.auth}},
            data=payload(message),
            vapid_private_key=Vapid(keys.private_key),
            vapid_claims=claims,
            ttl=ttl,
            headers=headers,  # type: ignore[arg-type]
            timeout=(CONNECT_TIMEOUT, float(settings.ALONGSIDE_PUSH_TIMEOUT)),  # type: ignore[arg-type]
            requests_session=session,
        )
    except WebPushException as exc:
        status = exc.status_code
        if status in GONE_STATUSES:
            device.delete()
            logger.info("push device=%s dropped: its push service answered %s", subscription_id, status)
            return Result(Outcome.GONE, status=status)
        return _failed(device, expires_at, moment, status=status, retry_after=exc.retry_after)
    except requests.RequestException as exc:
        # The exception's text can hold the endpoint: only its class is logged.
        return _failed(device, expires_at, moment, error=type(exc).__name__)
    finally:
        session.close()
    PushSubscription.objects.filter(pk=device.pk).update(last_success_at=moment, failure_count=0, next_attempt_at=None)
    status = getattr(response, "status_code", None)
    logger.info("push device=%s sent: %s", subscription_id, status)
    return Result(Outcome.SENT, status=status)


def _retry_after_seconds(value: str | None) -> int:
    """A push service's Retry-After in seconds (only the seconds form; a date is left to the backoff)."""
    if value and value.strip().isdigit():
        return min(int(value.strip()), 24 * 3600)
    return 0


def _failed(
    device: PushSubscription,
    expires_at: dt.datetime,
    moment: dt.datetime,
    *,
    status: int | None = None,
    error: str = "",
    retry_after: str | None = None,
) -> Result:
    failures = device.failure_count + 1
    what = f"answered {status}" if status is not None else f"could not be reached ({error})"
    if failures >= GIVE_UP_AFTER:
        device.delete()
        logger.warning("push device=%s dropped after %s failures in a row: %s", device.pk, failures, what)
        return Result(Outcome.DROPPED, status=status)
    wait = max(BACKOFF[failures - 1], _retry_after_seconds(retry_after))
    next_at = moment + dt.timedelta(seconds=wait)
    PushSubscription.objects.filter(pk=device.pk).update(failure_count=F("failure_count") + 1, next_attempt_at=next_at)
    logger.warning("push device=%s failed (%s in a row): %s; next try in %ss", device.pk, failures, what, wait)
    if next_at < expires_at:
        return Result(Outcome.RETRY, retry_at=next_at, status=status)
    return Result(Outcome.FAILED, status=status)
