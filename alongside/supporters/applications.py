"""Becoming a supporter: the application, its two referees, and the steps a coordinator takes.

applied → references → interview → training → active → paused / retired (or declined at any step before active;
the applicant may withdraw before active). Each step is a coordinator's, audited with no free text, and the
applicant is told in the app what happens next. The registration number's format is checked here; a coordinator
looks the number up on the public register themself and records that they did (nothing is scraped).

Referees get a private form link by email: ``selector + verifier``, only the verifier's hash kept, compared in
constant time; it expires after ``REFEREE_DAYS``, and answers once.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.core.validators import validate_email
from django.db import transaction
from django.http import HttpRequest
from django.template.loader import render_to_string

from alongside.accounts.models import User
from alongside.accounts.services import set_role
from alongside.audit.services import record
from alongside.lib.sockets import tell_console
from alongside.lib.time import now
from alongside.matching.weekly import Window
from alongside.notifications.models import Kind
from alongside.notifications.services import notify, queue_email
from alongside.service.selectors import current_settings
from alongside.supporters.models import (
    CLOSED_STATUSES,
    NEXT_STATUSES,
    REGISTRATION_PATTERN,
    Application,
    ApplicationStatus,
    Referee,
    SupporterProfile,
    SupporterStatus,
)
from alongside.supporters.services import check_windows
from alongside.supporters.training import missing_modules

REFEREE_DAYS = 21
MOTIVATION_MAX = 2000
SELECTOR_LENGTH = 16
APPLICATION_LINK = "/supporter/apply/"

WHAT_NEXT: dict[str, str] = {
    ApplicationStatus.APPLIED: "A coordinator will check your registration on the public register and write to your referees.",
    ApplicationStatus.REFERENCES: "Your referees have each been sent a private form. When both have answered, a coordinator will invite you to a short interview.",
    ApplicationStatus.INTERVIEW: "A coordinator will be in touch to arrange a conversation about supporting colleagues.",
    ApplicationStatus.TRAINING: "Complete the required training modules and record each one; a coordinator confirms them.",
    ApplicationStatus.ACTIVE: "You are a peer supporter. Set up your supporter profile and your availability to receive offers.",
    ApplicationStatus.PAUSED: "Your supporting is paused for now. A coordinator will talk with you before it resumes.",
    ApplicationStatus.RETIRED: "You have stepped back from supporting. Thank you for what you gave colleagues.",
    ApplicationStatus.DECLINED: "The coordinators are not taking your application further this time. You can ask them why.",
    ApplicationStatus.WITHDRAWN: "You withdrew your application. You can apply again at any time.",
}
"""What the applicant reads beside their status: always what happens next."""


def normalise_registration(number: str) -> str:
    return re.sub(r"[\s-]", "", number).upper()


def check_registration(number: str) -> str:
    """The number as stored, or a ValidationError that says what the format is."""
    cleaned = normalise_registration(number)
    if not re.fullmatch(REGISTRATION_PATTERN, cleaned):
        raise ValidationError(
            {
                "registration_number": "Enter your registration number as it appears on the register: three letters "
                "and ten digits, such as MED0001234567."
            }
        )
    return cleaned


@dataclass(frozen=True)
class RefereeIn:
    name: str
    email: str
    relationship: str


def _hash(verifier: str) -> str:
    return hashlib.sha256(verifier.encode()).hexdigest()


def _new_token() -> tuple[str, str, str]:
    selector = secrets.token_hex(SELECTOR_LENGTH // 2)
    verifier = secrets.token_urlsafe(32)
    return selector + verifier, selector, _hash(verifier)


def _check_referees(applicant: User, referees: Sequence[RefereeIn]) -> None:
    if len(referees) != 2:
        raise ValidationError("Give two referees.")
    emails = []
    for n, ref in enumerate(referees, start=1):
        if not ref.name.strip():
            raise ValidationError({f"referee{n}_name": "Give your referee's name."})
        try:
            validate_email(ref.email)
        except ValidationError:
            raise ValidationError({f"referee{n}_email": "Enter your referee's email address."}) from None
        if not ref.relationship.strip():
            raise ValidationError({f"referee{n}_relationship": "Say how this referee knows you."})
        emails.append(ref.email.strip().lower())
    if emails[0] == emails[1]:
        raise ValidationError({"referee2_email": "Your two referees need different email addresses."})
    if applicant.email.lower() in emails:
        raise ValidationError("A referee can't be you.")


@transaction.atomic
def submit_application(
    *,
    user: User,
    full_name: str,
    registration_number: str,
    career_stage: str,
    motivation: str,
    referees: Sequence[RefereeIn],
    specialty_id: int | None = None,
    availability: Sequence[Window] = (),
    hours_per_month: int = 4,
    request: HttpRequest | None = None,
) -> Application:
    """Apply. Everything is checked before anything is written; one open application per person."""
    if user.is_supporter:
        raise ValidationError("You are already a peer supporter.")
    full_name = " ".join(full_name.split())
    if not full_name:
        raise ValidationError({"full_name": "Give your full name as it appears on the register."})
    number = check_registration(registration_number)
    motivation = motivation.strip()
    if not motivation:
        raise ValidationError({"motivation": "Tell us in a few sentences why you would like to support colleagues."})
    if len(motivation) > MOTIVATION_MAX:
        raise ValidationError({"motivation": f"Keep it under {MOTIVATION_MAX} characters."})
    if not 1 <= hours_per_month <= 80:
        raise ValidationError({"hours_per_month": "Choose between 1 and 80 hours a month."})
    _check_referees(user, referees)
    User.objects.select_for_update().filter(pk=user.pk).first()
    if Application.objects.filter(user=user).exclude(status__in=CLOSED_STATUSES).exists():
        raise ValidationError("You already have an application in progress.")
    application = Application.objects.create(
        user=user,
        full_name=full_name[:200],
        registration_number=number,
        career_stage=career_stage,
        motivation=motivation,
        specialty_id=specialty_id,
        availability=[w.to_json() for w in check_windows(list(availability))],
        hours_per_month=hours_per_month,
    )
    for ref in referees:
        Referee.objects.create(
            application=application,
            name=" ".join(ref.name.split()),
            email=ref.email.strip(),
            relationship=" ".join(ref.relationship.split())[:80],
            selector=secrets.token_hex(SELECTOR_LENGTH // 2),
            verifier_hash="",
            expires_at=now(),
        )
    record("supporters.application.submitted", actor=user, subject=user, target=application, request=request)
    tell_console("applications")
    for coordinator_id in User.objects.filter(is_coordinator=True, is_active=True).values_list("pk", flat=True):
        notify(user_id=coordinator_id, kind=Kind.APPLICATION_NEW, link=f"/console/applications/{application.pk}/")
    return application


def send_referee_forms(*, application: Application, request: HttpRequest | None = None) -> list[str]:
    """Give each unanswered referee a fresh private link (the old one stops working) and email it. Returns the
    links (for the coordinator's screen in development; emails carry them in production)."""
    links = []
    for referee in application.referees.filter(submitted_at__isnull=True):
        token, selector, verifier_hash = _new_token()
        referee.selector, referee.verifier_hash = selector, verifier_hash
        referee.expires_at = now() + dt.timedelta(days=REFEREE_DAYS)
        referee.sent_at, referee.opened_at = now(), None
        referee.save(update_fields=["selector", "verifier_hash", "expires_at", "sent_at", "opened_at"])
        link = f"{settings.SITE_URL}/referee/{token}/"
        links.append(link)
        context = {"link": link, "days": REFEREE_DAYS, "service": current_settings().name}
        message = EmailMultiAlternatives(
            subject=f"A reference request from {context['service']}",
            body=render_to_string("supporters/email/referee.txt", context),
            to=[referee.email],
        )
        message.attach_alternative(render_to_string("supporters/email/referee.html", context), "text/html")
        queue_email(message)
        record("supporters.referee.sent", actor=getattr(request, "user", None), target=referee, request=request)
    return links


def referee_for_token(token: str) -> Referee | None:
    """The referee a link opens, or None (unknown, or the secret is wrong). Expiry is the caller's to say."""
    selector, verifier = token[:SELECTOR_LENGTH], token[SELECTOR_LENGTH:]
    if len(selector) != SELECTOR_LENGTH or not verifier:
        return None
    referee = Referee.objects.select_related("application").filter(selector=selector).first()
    if referee is None or not referee.verifier_hash:
        _hash(verifier)
        return None
    if not hmac.compare_digest(referee.verifier_hash, _hash(verifier)):
        return None
    return referee


@transaction.atomic
def submit_reference(*, referee: Referee, recommends: bool, answer: str) -> Referee:
    """A referee answers, once, before the link expires."""
    row = Referee.objects.select_for_update().select_related("application").get(pk=referee.pk)
    if row.submitted_at is not None:
        raise ValidationError("You have already answered. Thank you.")
    if row.expires_at <= now():
        raise ValidationError("This link has expired. The coordinators can send you a new one.")
    answer = answer.strip()
    if not answer:
        raise ValidationError({"answer": "A few sentences about the applicant, please."})
    row.recommends, row.answer, row.submitted_at = recommends, answer[:4000], now()
    row.save(update_fields=["recommends", "answer", "submitted_at"])
    record("supporters.referee.answered", target=row, subject=row.application.user)
    for coordinator_id in User.objects.filter(is_coordinator=True, is_active=True).values_list("pk", flat=True):
        notify(user_id=coordinator_id, kind=Kind.REFERENCE_IN, link=f"/console/applications/{row.application_id}/")
    return row


@transaction.atomic
def record_registration_checked(*, application: Application, by: User, request: HttpRequest | None = None) -> None:
    """A coordinator confirms they found the number on the public register."""
    Application.objects.filter(pk=application.pk).update(registration_checked_at=now(), registration_checked_by=by)
    record("supporters.application.registration_checked", actor=by, target=application, request=request)


@transaction.atomic
def move_application(*, application: Application, to: str, by: User, request: HttpRequest | None = None) -> Application:
    """A coordinator takes the next step. Interview needs the registration checked and both references in; active
    grants the supporter role and makes their supporter profile; paused and retired follow through to it."""
    row = Application.objects.select_for_update().select_related("user").get(pk=application.pk)
    if to == row.status:
        return row
    if to not in NEXT_STATUSES.get(row.status, ()):
        raise ValidationError(
            f"An application that is {row.get_status_display().lower()} can't move to "
            f"{ApplicationStatus(to).label.lower()}."
        )
    if to == ApplicationStatus.REFERENCES and row.registration_checked_at is None:
        raise ValidationError("Check the registration number on the public register first, and record that you did.")
    if to == ApplicationStatus.INTERVIEW and row.referees.filter(submitted_at__isnull=True).exists():
        raise ValidationError("Both referees need to answer first.")
    if to == ApplicationStatus.ACTIVE:
        missing = missing_modules(row.user, today=now().date())
        if missing:
            titles = ", ".join(module.title for module in missing)
            raise ValidationError(f"Confirm their required training first: {titles}.")
    row.status, row.status_changed_at = to, now()
    row.save(update_fields=["status", "status_changed_at"])
    person = row.user
    if to == ApplicationStatus.ACTIVE:
        set_role(actor=by, user=person, role="supporter", granted=True, request=request)
        profile, _ = SupporterProfile.objects.get_or_create(user=person)
        if not profile.availability and row.availability:
            profile.availability = row.availability
        profile.status, profile.paused_for, profile.paused_until = SupporterStatus.ACTIVE, "", None
        profile.save()
    elif to == ApplicationStatus.PAUSED:
        SupporterProfile.objects.filter(user=person).update(status=SupporterStatus.PAUSED, paused_until=None)
    elif to == ApplicationStatus.RETIRED:
        SupporterProfile.objects.filter(user=person).update(status=SupporterStatus.INACTIVE)
        set_role(actor=by, user=person, role="supporter", granted=False, request=request)
    record(
        "supporters.application.moved",
        actor=by,
        subject=person,
        target=row,
        request=request,
        details={"to": to},
    )
    notify(user_id=person.pk, kind=Kind.APPLICATION_STEP, link=APPLICATION_LINK)
    tell_console("applications")
    return row


@transaction.atomic
def withdraw_application(*, application: Application, user: User, request: HttpRequest | None = None) -> None:
    row = Application.objects.select_for_update().get(pk=application.pk, user=user)
    if row.status in CLOSED_STATUSES or row.status in (ApplicationStatus.ACTIVE, ApplicationStatus.PAUSED):
        raise ValidationError("This application can no longer be withdrawn.")
    row.status, row.status_changed_at = ApplicationStatus.WITHDRAWN, now()
    row.save(update_fields=["status", "status_changed_at"])
    record("supporters.application.withdrawn", actor=user, subject=user, target=row, request=request)
