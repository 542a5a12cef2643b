"""Reads for talk now: where a request stands for the member's page, an honest expected wait, a supporter's open
offers, and the waiting requests the coordinators watch."""

from __future__ import annotations

import datetime as dt
import statistics
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.urls import reverse

from alongside.lib.time import now
from alongside.roster.selectors import available_ids, on_shift_ids
from alongside.talknow.models import OPEN_STATES, Outcome, State, TalkNowOffer, TalkNowRequest

WAIT_SAMPLE = 20
"""The expected wait is the median wait of at most this many recent accepted requests..."""
WAIT_MIN_SAMPLE = 3
"""...and is not given at all from fewer: "we don't know yet" rather than a guess."""
WAIT_WINDOW = dt.timedelta(days=28)


def open_request_of(member_id: int) -> TalkNowRequest | None:
    return TalkNowRequest.objects.filter(member_id=member_id, state__in=OPEN_STATES).first()


def recent_waits(at: dt.datetime | None = None) -> list[dt.timedelta]:
    at = at or now()
    rows = (
        TalkNowRequest.objects.filter(connected_at__isnull=False, created_at__gte=at - WAIT_WINDOW)
        .order_by("-connected_at")
        .values_list("created_at", "connected_at")[:WAIT_SAMPLE]
    )
    return [connected - created for created, connected in rows if connected is not None]


@dataclass(frozen=True)
class Wait:
    """What the waiting page says about the wait: counts now, and the median of recent waits when known."""

    on_shift: int
    available: int
    expected: dt.timedelta | None
    samples: int

    @property
    def text(self) -> str:
        if self.on_shift == 0:
            return "Nobody is on shift at this moment, so we can't say how long it will be."
        if self.expected is None:
            return "We don't know yet how long it will be: too few people have used Talk now recently to say."
        minutes = max(1, round(self.expected.total_seconds() / 60))
        text = (
            f"Recently, people have waited about {minutes} minute{'s' if minutes != 1 else ''} "
            f"(the middle of the last {self.samples} waits)."
        )
        if self.available == 0:
            text += " Everyone on shift is with someone just now, so it may take longer."
        return text

    @property
    def shift_text(self) -> str:
        if self.on_shift == 0:
            return "No supporters are on shift right now."
        people = "supporter is" if self.on_shift == 1 else "supporters are"
        busy = self.on_shift - self.available
        tail = f", {busy} of them with someone else" if busy > 0 else ""
        return f"{self.on_shift} {people} on shift{tail}."


def expected_wait(at: dt.datetime | None = None) -> Wait:
    at = at or now()
    waits = recent_waits(at)
    expected = (
        dt.timedelta(seconds=statistics.median(w.total_seconds() for w in waits))
        if len(waits) >= WAIT_MIN_SAMPLE
        else None
    )
    return Wait(
        on_shift=len(on_shift_ids(at)),
        available=len(available_ids(at, role=None)),
        expected=expected,
        samples=len(waits),
    )


def conversation_url(req: TalkNowRequest) -> str:
    return reverse("talknow:conversation", kwargs={"pk": req.pk})


def contact_record_path(contact_id: int) -> str:
    """The roster's 30-second contact record form for this contact."""
    return reverse("roster:contact_record", kwargs={"pk": contact_id})


def status(req: TalkNowRequest, *, viewer_id: int, at: dt.datetime | None = None) -> dict[str, Any]:
    """Where the request stands, as the waiting and conversation pages show it (the socket's ``status`` frame)."""
    out: dict[str, Any] = {"type": "status", "state": req.state, "stage": req.stage}
    if req.state == State.WAITING:
        wait = expected_wait(at)
        out.update(wait=wait.text, on_shift=wait.on_shift, shift=wait.shift_text)
    elif req.state == State.CONNECTED:
        out["url"] = conversation_url(req)
    elif req.state == State.ENDED:
        is_supporter = viewer_id == req.supporter_id and viewer_id != req.member_id
        out["url"] = (
            contact_record_path(req.contact_id)
            if is_supporter and req.contact_id is not None
            else reverse("talknow:closed", kwargs={"pk": req.pk})
        )
    return out


def open_offers_for(supporter_id: int) -> QuerySet[TalkNowOffer]:
    """A supporter's offers still open, of requests still waiting: what the banner and the offers page show."""
    return (
        TalkNowOffer.objects.filter(supporter_id=supporter_id, outcome=Outcome.OPEN, request__state=State.WAITING)
        .select_related("request")
        .order_by("offered_at", "id")
    )


def waiting_requests() -> QuerySet[TalkNowRequest]:
    """For the coordinators: every waiting request, oldest first (no names: how long, how, and how far it got)."""
    return TalkNowRequest.objects.filter(state=State.WAITING).prefetch_related("offers").order_by("created_at", "id")


def recent_outcomes(days: int = 7, at: dt.datetime | None = None) -> dict[str, int]:
    at = at or now()
    counts = dict.fromkeys(State.values, 0)
    for state in TalkNowRequest.objects.filter(created_at__gte=at - dt.timedelta(days=days)).values_list(
        "state", flat=True
    ):
        counts[state] += 1
    return counts
