"""Reads of the accounts app: a person's own access log, in plain words."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from alongside.accounts.models import Profile, User
from alongside.audit.selectors import access_log
from alongside.audit.services import IDENTITY_ACCESS

# What each identity access means to the person it is about (``record_identity_access("<what>", ...)``).
ACCESS_WORDS = {
    "revealed": "revealed your contact details and real name during a safety concern",
    "viewed": "opened your account page in the console (it shows your email address)",
    "application": "opened your application to be a supporter (it shows your name and registration number)",
}
FORMER = "a former coordinator"


@dataclass(frozen=True)
class AccessLine:
    at: dt.datetime
    who: str
    what: str
    reason: str


def access_lines(user_id: int) -> list[AccessLine]:
    """Every access by a coordinator to this person's identifying data, newest first, in the person's own words."""
    events = list(access_log(user_id))
    actors = {
        u.pk: u
        for u in User.objects.select_related("profile").filter(pk__in={e.actor_id for e in events if e.actor_id})
    }
    lines = []
    for event in events:
        actor = actors.get(event.actor_id) if event.actor_id else None
        who = actor.display_name if actor is not None and actor.is_coordinator else FORMER
        what = event.action.removeprefix(IDENTITY_ACCESS)
        lines.append(
            AccessLine(
                at=event.at, who=who, what=ACCESS_WORDS.get(what, "saw your identifying details"), reason=event.reason
            )
        )
    return lines


def region_of(user_id: int | None) -> str:
    """The region of the person's workplace (the first, by name), or "" when they gave none: for figures only."""
    if user_id is None:
        return ""
    links = Profile.workplaces.through.objects.filter(profile__user_id=user_id)
    region = links.order_by("workplace__name").values_list("workplace__region", flat=True).first()
    return str(region or "")
