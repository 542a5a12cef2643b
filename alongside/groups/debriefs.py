"""Incident debriefs: starting one (a double tap starts one, not two), its invitation link, joining it (signed in,
or as a guest under a first name), ending it, its de-identified record, and the private outreach a day or more later.

The invitation token is ``selector + verifier``. Only the verifier's hash is stored; the verifier itself is an HMAC of
the selector under the site's secret key, so the starter's page can show the same link and QR code again without the
database ever holding it. Every write is keyword-only and atomic, refuses with words a person can act on, and leaves
an audit event with no free text: no team name, no names, no record text.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.http import HttpRequest
from django.template.loader import render_to_string

from alongside.accounts.models import User
from alongside.audit.services import record
from alongside.conversations.models import ThreadMember
from alongside.groups import services
from alongside.groups.models import (
    AGREEMENT_VERSION,
    CAPACITY_MAX,
    Debrief,
    DebriefMode,
    Group,
    GroupKind,
    Meeting,
    Membership,
    MembershipState,
    Role,
    Theme,
)
from alongside.lib.time import now
from alongside.notifications.models import Kind
from alongside.notifications.services import notify, queue_email
from alongside.service.selectors import current_settings

HOT_LINK_HOURS = 12
"""A hot debrief's link stays open this long after it starts."""
COLD_GRACE_HOURS = 2
"""A cold debrief's link stays open this long after its meeting ends."""
COLD_MINUTES = 60
COLD_EARLIEST_HOURS, COLD_LATEST_HOURS = 24, 72
OUTREACH_HOURS = (24, 48, 72)
TEAM_MAX_LENGTH = 60
FIRST_NAME_MAX_LENGTH = 30
RECORD_FIELD_MAX_LENGTH = 1000
SELECTOR_LENGTH = 16
GUEST_EMAIL_DOMAIN = "guest.invalid"

_FIRST_NAME = re.compile(r"^[^\W\d_]+(?:[-' ][^\W\d_]+)*$")
_CONTACT_LIKE = re.compile(r"@|\d{3}|www\.|https?:", re.IGNORECASE)


# --- the invitation token ------------------------------------------------------------------------------------------


def _verifier(selector: str) -> str:
    key = hashlib.sha256(f"alongside.debrief-invite:{settings.SECRET_KEY}".encode()).digest()
    return hmac.new(key, selector.encode(), hashlib.sha256).hexdigest()[:40]


def _hash(verifier: str) -> str:
    return hashlib.sha256(verifier.encode()).hexdigest()


def invite_token(debrief: Debrief) -> str:
    """The invitation token, for the starter's page (the database holds only the verifier's hash)."""
    return debrief.invite_selector + _verifier(debrief.invite_selector)


def invite_url(debrief: Debrief) -> str:
    return f"{settings.SITE_URL}/debriefs/join/{invite_token(debrief)}/"


def find_by_token(token: str) -> Debrief | None:
    """The debrief whose link this is (open or not), compared in constant time; None for an unknown token."""
    selector, verifier = token[:SELECTOR_LENGTH], token[SELECTOR_LENGTH:]
    if len(selector) != SELECTOR_LENGTH or not verifier:
        return None
    debrief = Debrief.objects.select_related("group", "group__thread").filter(invite_selector=selector).first()
    if debrief is None or not hmac.compare_digest(_hash(verifier), debrief.invite_verifier_hash):
        return None
    return debrief


def link_open(debrief: Debrief) -> bool:
    return debrief.group.ended_at is None and now() < debrief.invite_expires_at


# --- starting one ---------------------------------------------------------------------------------------------------


def clean_team(team: str) -> str:
    team = " ".join(team.split())
    if not team:
        raise ValidationError({"team": "Say which team or area, in a few words (for example: ED resus team)."})
    if len(team) > TEAM_MAX_LENGTH:
        raise ValidationError({"team": f"Keep it to {TEAM_MAX_LENGTH} characters or fewer."})
    if _CONTACT_LIKE.search(team):
        raise ValidationError({"team": "Just the team or area, please: no numbers, emails or links."})
    return team


def may_start(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and (user.is_debrief_lead or user.is_coordinator))


@transaction.atomic
def start_debrief(
    *,
    by: User,
    mode: str,
    team: str,
    start_key: str,
    outreach_after_hours: int = 24,
    cold_at: dt.datetime | None = None,
    request: HttpRequest | None = None,
) -> Debrief:
    """Start a debrief: its group (the starter facilitates), its invitation link, and for a cold one its meeting.

    The same ``start_key`` from the same person (a double tap, a resubmitted form) returns the debrief it started.
    The starter's row is locked first, so two taps at once wait for each other and the second finds the first's."""
    if not may_start(by):
        raise ValidationError("Only a debrief lead or a coordinator can start a debrief.")
    if not start_key or len(start_key) > 64:
        raise ValidationError("The form was incomplete. Please reload the page and try again.")
    User.objects.select_for_update().filter(pk=by.pk).first()
    existing = Debrief.objects.select_related("group").filter(started_by=by, start_key=start_key).first()
    if existing is not None:
        return existing
    if mode not in DebriefMode.values:
        raise ValidationError({"mode": "Choose a hot or a cold debrief."})
    if outreach_after_hours not in OUTREACH_HOURS:
        raise ValidationError({"outreach_after_hours": "Choose 24, 48 or 72 hours."})
    team = clean_team(team)
    at = now()
    if mode == DebriefMode.COLD:
        if cold_at is None:
            raise ValidationError({"cold_at": "Choose when the cold debrief meets."})
        if not at + dt.timedelta(hours=COLD_EARLIEST_HOURS) <= cold_at <= at + dt.timedelta(hours=COLD_LATEST_HOURS):
            raise ValidationError({"cold_at": "A cold debrief meets between 24 and 72 hours from now."})
        starts_at, ends_at = cold_at, cold_at + dt.timedelta(minutes=COLD_MINUTES)
        expires_at = ends_at + dt.timedelta(hours=COLD_GRACE_HOURS)
    else:
        starts_at = at
        ends_at = expires_at = at + dt.timedelta(hours=HOT_LINK_HOURS)
    group = services.create_group(
        kind=GroupKind.DEBRIEF,
        name=team,
        created_by=by,
        facilitators=[by],
        capacity=CAPACITY_MAX,
        starts_at=starts_at,
        ends_at=ends_at,
        request=request,
    )
    selector = secrets.token_hex(SELECTOR_LENGTH // 2)
    try:
        with transaction.atomic():
            debrief = Debrief.objects.create(
                group=group,
                mode=mode,
                started_by=by,
                start_key=start_key,
                invite_selector=selector,
                invite_verifier_hash=_hash(_verifier(selector)),
                invite_expires_at=expires_at,
                outreach_after_hours=outreach_after_hours,
                created_at=at,
            )
    except IntegrityError:  # a tap that slipped past the lock (it cannot on PostgreSQL or SQLite): the first wins
        raise ValidationError("This debrief was already started: open it from your home page.") from None
    if mode == DebriefMode.COLD and cold_at is not None:
        Meeting.objects.create(group=group, starts_at=cold_at, minutes=COLD_MINUTES, created_by=by, created_at=at)
    record("groups.debrief.started", actor=by, target=group, request=request, details={"mode": mode})
    return debrief


# --- joining --------------------------------------------------------------------------------------------------------


def _check_open(debrief: Debrief) -> None:
    if not link_open(debrief):
        raise ValidationError("This debrief's link has expired.")


def _outreach_due(debrief: Debrief, at: dt.datetime) -> dt.datetime:
    return at + dt.timedelta(hours=debrief.outreach_after_hours)


@transaction.atomic
def join_debrief(
    *, debrief: Debrief, user: User, accepted_agreement: bool, request: HttpRequest | None = None
) -> Membership:
    """A signed-in person joins through the link (one tap, after the debrief agreement). Joining again returns the
    membership; the starter is already in it."""
    group = services._lock(debrief.group)
    existing = Membership.objects.filter(group=group, user=user).first()
    if existing is not None and existing.state == MembershipState.ACTIVE:
        return existing
    _check_open(debrief)
    if existing is not None and existing.state == MembershipState.REMOVED:
        raise ValidationError("The facilitator removed you from this debrief, so you cannot join it again.")
    if not accepted_agreement:
        raise ValidationError({"agreement": "Please read and accept the debrief agreement to join."})
    at = now()
    membership = existing or Membership(group=group, user=user, role=Role.MEMBER)
    membership.agreement_version = AGREEMENT_VERSION
    membership.agreement_accepted_at = at
    membership.state = MembershipState.ACTIVE
    membership.joined_at = at
    membership.save()
    services._activate(membership)
    if membership.outreach_sent_at is None:
        membership.outreach_due_at = _outreach_due(debrief, membership.joined_at)
        membership.save(update_fields=["outreach_due_at"])
    record("groups.member.joined", actor=user, target=group, request=request)
    return membership


def clean_first_name(name: str) -> str:
    name = " ".join(name.split())
    if not name:
        raise ValidationError({"first_name": "Give a first name, so the others know who is writing."})
    if len(name) > FIRST_NAME_MAX_LENGTH or not _FIRST_NAME.match(name):
        raise ValidationError(
            {"first_name": f"Just a first name, please: letters only, up to {FIRST_NAME_MAX_LENGTH} of them."}
        )
    return name


@transaction.atomic
def join_as_guest(
    *,
    debrief: Debrief,
    first_name: str,
    accepted_agreement: bool,
    email: str = "",
    request: HttpRequest | None = None,
) -> User:
    """Someone without an account joins under a first name: a guest account that can sign in nowhere (no password,
    an address that delivers nowhere, no profile), shown by that name in the thread only, and deleted when the
    link expires. ``email``, if given, is kept encrypted for the follow-up alone and erased once it is sent."""
    group = services._lock(debrief.group)
    _check_open(debrief)
    first_name = clean_first_name(first_name)
    if not accepted_agreement:
        raise ValidationError({"agreement": "Please read and accept the debrief agreement to join."})
    at = now()
    guest = User.objects.create(
        email=f"guest-{secrets.token_hex(12)}@{GUEST_EMAIL_DOMAIN}",
        password=make_password(None),
        is_guest=True,
    )
    membership = Membership.objects.create(
        group=group,
        user=guest,
        role=Role.MEMBER,
        state=MembershipState.ACTIVE,
        agreement_version=AGREEMENT_VERSION,
        agreement_accepted_at=at,
        joined_at=at,
        outreach_due_at=_outreach_due(debrief, at) if email else None,
        outreach_email=email.strip(),
    )
    services._activate(membership, shown_name=first_name)
    record("groups.debrief.guest_joined", actor=guest, target=group, request=request)
    return guest


# --- during and after -----------------------------------------------------------------------------------------------


@transaction.atomic
def end_debrief(*, debrief: Debrief, by: User, request: HttpRequest | None = None) -> bool:
    """End it: the link stops working, the thread closes (read-only). The guests go with the next expiry sweep."""
    return services.end_group(group=debrief.group, by=by, request=request)


def participant_names(debrief: Debrief) -> set[str]:
    """Every name the debrief's people are known by: display names, guests' first names, the first word of each."""
    names: set[str] = set()
    rows = ThreadMember.objects.filter(thread_id=debrief.group.thread_id).select_related("user__profile")
    for row in rows:
        for name in (row.shown_name, row.user.display_name if hasattr(row.user, "profile") else ""):
            name = name.strip()
            if name:
                names.add(name)
                names.add(name.split()[0])
    return {n for n in names if len(n) >= 2}


def names_in(text: str, names: set[str]) -> bool:
    return any(re.search(rf"(?<!\w){re.escape(name)}(?!\w)", text, re.IGNORECASE) for name in names)


RECORD_FIELDS = ("summary", "went_well", "to_improve", "to_action")


@transaction.atomic
def save_record(
    *,
    debrief: Debrief,
    by: User,
    themes: list[str],
    summary: str = "",
    went_well: str = "",
    to_improve: str = "",
    to_action: str = "",
    request: HttpRequest | None = None,
) -> Debrief:
    """The de-identified record: theme tags and four short texts (encrypted). Text naming anyone in the debrief is
    refused, field by field, so nothing half-saved."""
    texts = {"summary": summary, "went_well": went_well, "to_improve": to_improve, "to_action": to_action}
    unknown = [t for t in themes if t not in Theme.values]
    if unknown:
        raise ValidationError({"themes": "Choose themes from the list."})
    if not themes and not any(text.strip() for text in texts.values()):
        raise ValidationError("Choose a theme or write a line first: there is nothing to save yet.")
    names = participant_names(debrief)
    errors = {}
    for field, text in texts.items():
        text = text.strip()
        texts[field] = text
        if len(text) > RECORD_FIELD_MAX_LENGTH:
            errors[field] = f"Keep it to {RECORD_FIELD_MAX_LENGTH} characters or fewer."
        elif names_in(text, names):
            errors[field] = "This names someone who was in the debrief. Please leave out names and patient details."
    if errors:
        raise ValidationError(errors)
    debrief = Debrief.objects.select_for_update().get(pk=debrief.pk)
    debrief.themes = sorted(set(themes))
    for field, text in texts.items():
        setattr(debrief, field, text)
    debrief.recorded_at = now()
    debrief.save(update_fields=["themes", *RECORD_FIELDS, "recorded_at"])
    record("groups.debrief.recorded", actor=by, target=debrief.group, request=request)
    return debrief


# --- outreach -------------------------------------------------------------------------------------------------------


def after_path(debrief: Debrief) -> str:
    return f"/debriefs/{debrief.group_id}/after/"


def outreach_email(*, to: str, link: str) -> EmailMultiAlternatives:
    """Neutral words, no names, no team, no time: an offer to talk, which can be ignored."""
    context = {"service_name": current_settings().name, "link": link}
    message = EmailMultiAlternatives(
        subject="After the debrief: someone is here if you would like to talk",
        body=render_to_string("groups/email/debrief_outreach.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[to],
    )
    message.attach_alternative(render_to_string("groups/email/debrief_outreach.html", context), "text/html")
    return message


@dataclass(frozen=True)
class OutreachResult:
    notified: int = 0
    emailed: int = 0


def due_outreach(*, at: dt.datetime | None = None, limit: int = 500) -> list[int]:
    at = at or now()
    return list(
        Membership.objects.filter(
            outreach_sent_at__isnull=True, outreach_due_at__lte=at, role=Role.MEMBER, group__kind=GroupKind.DEBRIEF
        )
        .exclude(state=MembershipState.REMOVED)
        .order_by("outreach_due_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )


def send_one_outreach(membership_id: int, *, at: dt.datetime | None = None) -> str:
    """Claim one participant's outreach (a conditional UPDATE: of two workers, one wins) and send it: "notified",
    "emailed", or "" when another worker had it (or it was not due)."""
    at = at or now()
    with transaction.atomic():
        claimed = Membership.objects.filter(
            pk=membership_id, outreach_sent_at__isnull=True, outreach_due_at__lte=at
        ).update(outreach_sent_at=at)
        if not claimed:
            return ""
        membership = Membership.objects.select_related("user", "group__debrief").get(pk=membership_id)
        debrief = membership.group.debrief
        link = after_path(debrief)
        if membership.user.is_guest:
            address = membership.outreach_email
            Membership.objects.filter(pk=membership_id).update(outreach_email="")
            if not address:
                return ""
            queue_email(outreach_email(to=address, link=f"{settings.SITE_URL}/"))
            record("groups.debrief.outreach_emailed", target=membership.group)
            return "emailed"
        notify(user_id=membership.user_id, kind=Kind.DEBRIEF_OUTREACH, link=link)
        record("groups.debrief.outreach_sent", target=membership.group, subject=membership.user)
        return "notified"


def send_due_outreach(*, at: dt.datetime | None = None) -> OutreachResult:
    notified = emailed = 0
    for pk in due_outreach(at=at):
        outcome = send_one_outreach(pk, at=at)
        notified += outcome == "notified"
        emailed += outcome == "emailed"
    return OutreachResult(notified=notified, emailed=emailed)


# --- guests go when the link expires --------------------------------------------------------------------------------


def expire_guests(*, at: dt.datetime | None = None) -> int:
    """Delete the guest accounts of debriefs whose link expired or that ended (their messages stay, sender gone). A
    guest whose follow-up email is still to go keeps a signed-out, inactive account until it has gone."""
    at = at or now()
    closed = Q(group__debrief__invite_expires_at__lte=at) | Q(group__ended_at__isnull=False)
    rows = Membership.objects.filter(closed, user__is_guest=True, group__kind=GroupKind.DEBRIEF)
    waiting = Q(outreach_due_at__isnull=False, outreach_sent_at__isnull=True)
    User.objects.filter(pk__in=rows.filter(waiting).values("user_id"), is_active=True).update(is_active=False)
    gone = list(rows.exclude(waiting).values_list("user_id", flat=True))
    deleted = 0
    for user_id in gone:
        with transaction.atomic():
            deleted += User.objects.filter(pk=user_id, is_guest=True).delete()[1].get("accounts.User", 0)
    if deleted:
        record("groups.debrief.guests_deleted", details={"count": deleted})
    return deleted


# --- for coordinators -----------------------------------------------------------------------------------------------


def records() -> list[Debrief]:
    return list(
        Debrief.objects.select_related("group").filter(recorded_at__isnull=False).order_by("-recorded_at", "-pk")
    )


def theme_counts(debriefs: list[Debrief]) -> list[tuple[str, int]]:
    counts = dict.fromkeys(Theme.values, 0)
    for debrief in debriefs:
        for theme in debrief.themes:
            if theme in counts:
                counts[theme] += 1
    labels = dict(Theme.choices)
    return sorted(((labels[k], v) for k, v in counts.items() if v), key=lambda kv: (-kv[1], kv[0]))


def participant_count(debrief: Debrief) -> int:
    return Membership.objects.filter(group_id=debrief.group_id, state=MembershipState.ACTIVE).count()


def debrief_of(group: Group) -> Debrief:
    return Debrief.objects.select_related("group", "group__thread").get(group=group)
