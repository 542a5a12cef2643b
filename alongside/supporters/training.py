"""Training: modules coordinators define, completions supporters record and coordinators confirm, and the rule that
keeps supporters safe to offer work: a required module out of date pauses a supporter's offers and shifts, says
why, and lifts itself once the training is current again.

A supporter is *current* when every required, unretired module has a confirmed completion that has not expired.
The daily check (``supporters.tasks``) pauses those who are not (``SupporterProfile.paused_for = "training"``) and
reminds people 30 days before a completion expires, each reminder claimed once.
"""

from __future__ import annotations

import datetime as dt
from calendar import monthrange
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest

from alongside.accounts.models import User
from alongside.audit.services import record
from alongside.lib.time import now
from alongside.notifications.models import Kind
from alongside.notifications.services import notify
from alongside.supporters.models import SupporterProfile, SupporterStatus, TrainingModule, TrainingRecord

REMIND_DAYS = 30
EARLIEST_ZONE_AHEAD = dt.timedelta(hours=14)
"""The furthest any time zone runs ahead of UTC: a completion dated today in the supporter's zone is never future."""
PAUSED_FOR_TRAINING = "training"
TRAINING_LINK = "/supporter/training/"


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` later (the month's last day when it is shorter: 31 Jan + 1 month = 28/29 Feb)."""
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    return dt.date(year, month, min(day.day, monthrange(year, month)[1]))


def expiry_of(module: TrainingModule, completed_on: dt.date) -> dt.date | None:
    return add_months(completed_on, module.renewal_months) if module.renewal_months else None


def required_modules() -> list[TrainingModule]:
    return list(TrainingModule.objects.filter(required=True, retired_at__isnull=True))


def missing_modules(user: User, *, today: dt.date) -> list[TrainingModule]:
    """The required modules the person has no confirmed, unexpired completion of."""
    current = set(
        TrainingRecord.objects.filter(user=user, confirmed_at__isnull=False)
        .filter(Q(expires_on__isnull=True) | Q(expires_on__gte=today))
        .values_list("module_id", flat=True)
    )
    return [module for module in required_modules() if module.pk not in current]


@transaction.atomic
def record_completion(
    *, user: User, module: TrainingModule, completed_on: dt.date, request: HttpRequest | None = None
) -> TrainingRecord:
    """The supporter says they completed a module (on a day not in the future); a coordinator confirms it next."""
    if completed_on > (now() + EARLIEST_ZONE_AHEAD).date():  # "today" somewhere on Earth
        raise ValidationError({"completed_on": "Choose the day you completed it: today or earlier."})
    if module.retired_at is not None:
        raise ValidationError("This module is no longer offered.")
    row, _ = TrainingRecord.objects.update_or_create(
        user=user,
        module=module,
        defaults={
            "completed_on": completed_on,
            "confirmed_at": None,
            "confirmed_by": None,
            "expires_on": None,
            "reminded_at": None,
        },
    )
    record("supporters.training.recorded", actor=user, subject=user, target=row, request=request)
    return row


@transaction.atomic
def confirm_completion(*, record_row: TrainingRecord, by: User, request: HttpRequest | None = None) -> TrainingRecord:
    """A coordinator confirms a completion; its expiry follows from the module's renewal period. A supporter the
    system had paused for training resumes once every required module is current."""
    if not by.is_coordinator:
        raise ValidationError("Only coordinators confirm training.")
    row = TrainingRecord.objects.select_for_update().select_related("module", "user").get(pk=record_row.pk)
    if row.confirmed_at is None:
        row.confirmed_at, row.confirmed_by = now(), by
        row.expires_on = expiry_of(row.module, row.completed_on)
        row.save(update_fields=["confirmed_at", "confirmed_by", "expires_on"])
        record("supporters.training.confirmed", actor=by, subject=row.user, target=row, request=request)
        notify(user_id=row.user_id, kind=Kind.TRAINING_CONFIRMED, link=TRAINING_LINK)
    resume_if_current(row.user, today=now().date())
    return row


def resume_if_current(user: User, *, today: dt.date) -> bool:
    """Lift a training pause once everything required is current. True when it was lifted."""
    if missing_modules(user, today=today):
        return False
    lifted = SupporterProfile.objects.filter(
        user=user, status=SupporterStatus.PAUSED, paused_for=PAUSED_FOR_TRAINING
    ).update(status=SupporterStatus.ACTIVE, paused_for="", paused_until=None)
    if lifted:
        record(
            "supporters.profile.resumed",
            subject=user,
            target_type="supporters.supporterprofile",
            details={"why": "training"},
        )
        notify(user_id=user.pk, kind=Kind.SUPPORTER_RESUMED, link=TRAINING_LINK)
    return bool(lifted)


@transaction.atomic
def pause_out_of_date(*, today: dt.date) -> int:
    """The daily rule: every active supporter missing a required module is paused for training, once, and told
    why. Returns how many were paused."""
    if not required_modules():
        return 0
    paused = 0
    for profile in SupporterProfile.objects.select_related("user").filter(
        status=SupporterStatus.ACTIVE, user__is_supporter=True, user__is_active=True
    ):
        if not missing_modules(profile.user, today=today):
            continue
        changed = SupporterProfile.objects.filter(pk=profile.pk, status=SupporterStatus.ACTIVE).update(
            status=SupporterStatus.PAUSED, paused_for=PAUSED_FOR_TRAINING, paused_until=None
        )
        if changed:
            paused += 1
            record(
                "supporters.profile.paused",
                subject=profile.user,
                target=profile,
                details={"why": "training"},
            )
            notify(user_id=profile.user_id, kind=Kind.TRAINING_PAUSED, link=TRAINING_LINK)
    return paused


def remind_expiring(*, today: dt.date) -> int:
    """Remind each confirmed completion's holder once, 30 days before it expires (claimed with an update)."""
    due = TrainingRecord.objects.filter(
        confirmed_at__isnull=False,
        reminded_at__isnull=True,
        expires_on__isnull=False,
        expires_on__lte=today + dt.timedelta(days=REMIND_DAYS),
        expires_on__gte=today,
    ).values_list("pk", "user_id")
    sent = 0
    for pk, user_id in list(due):
        with transaction.atomic():
            if TrainingRecord.objects.filter(pk=pk, reminded_at__isnull=True).update(reminded_at=now()):
                notify(user_id=user_id, kind=Kind.TRAINING_EXPIRING, link=TRAINING_LINK)
                sent += 1
    return sent


@dataclass(frozen=True)
class ModuleRow:
    """One module as its supporter sees it."""

    module: TrainingModule
    record: TrainingRecord | None
    state: str
    """"current", "expiring" (within 30 days), "expired", "waiting" (recorded, not confirmed) or "to do"."""

    @property
    def label(self) -> str:
        return {
            "current": "Current",
            "expiring": "Renew soon",
            "expired": "Expired",
            "waiting": "Waiting for a coordinator to confirm",
            "to do": "Not done yet",
        }[self.state]


def row_for(module: TrainingModule, row: TrainingRecord | None, *, today: dt.date) -> ModuleRow:
    if row is None:
        return ModuleRow(module, None, "to do")
    if row.confirmed_at is None:
        return ModuleRow(module, row, "waiting")
    if row.expires_on is not None and row.expires_on < today:
        return ModuleRow(module, row, "expired")
    if row.expires_on is not None and row.expires_on <= today + dt.timedelta(days=REMIND_DAYS):
        return ModuleRow(module, row, "expiring")
    return ModuleRow(module, row, "current")


@transaction.atomic
def save_module(*, module: TrainingModule, by: User, request: HttpRequest | None = None) -> TrainingModule:
    """A coordinator adds or edits a module. Existing confirmed completions keep the expiry they were given."""
    created = module.pk is None
    module.title = " ".join(module.title.split())
    if not module.title:
        raise ValidationError({"title": "Give the module a title."})
    module.save()
    record(
        "supporters.module.created" if created else "supporters.module.updated",
        actor=by,
        target=module,
        request=request,
    )
    return module


@transaction.atomic
def retire_module(*, module: TrainingModule, by: User, request: HttpRequest | None = None) -> None:
    """No longer asked of anyone: supporters paused only for it resume at the next daily check or confirmation."""
    TrainingModule.objects.filter(pk=module.pk, retired_at__isnull=True).update(retired_at=now())
    record("supporters.module.retired", actor=by, target=module, request=request)


def waiting_records() -> list[TrainingRecord]:
    """Completions supporters recorded that no coordinator has confirmed yet, oldest first."""
    return list(
        TrainingRecord.objects.filter(confirmed_at__isnull=True)
        .select_related("user__profile", "module")
        .order_by("completed_on", "id")
    )
