"""Writes to the directory of workplaces.

Workplaces are never deleted: profiles refer to them to keep people from being matched with
colleagues. A workplace that closes or merges is deactivated instead, which stops it being offered.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models.functions import Lower
from django.http import HttpRequest

from alongside.audit.services import record
from alongside.directory.models import Region, Workplace

if TYPE_CHECKING:
    from alongside.accounts.models import User

NAME_MAX = Workplace._meta.get_field("name").max_length or 200
BULK_MAX_LINES = 500
DUPLICATE = "A workplace with this name is already in the directory."


def normalise_name(name: str) -> str:
    """Spaces collapsed and trimmed: "Royal  Melbourne Hospital " and "Royal Melbourne Hospital" are one name."""
    return " ".join(name.split())


def name_problem(name: str) -> str:
    """Why ``name`` (already normalised) can't be a workplace name, or "" when it can."""
    if len(name) < 2:
        return "Use at least two characters."
    if len(name) > NAME_MAX:
        return f"Use at most {NAME_MAX} characters (this has {len(name)})."
    if any(unicodedata.category(ch).startswith("C") for ch in name):
        return "Use letters, numbers, spaces and punctuation only."
    return ""


def name_taken(name: str, *, exclude_pk: int | None = None) -> bool:
    qs = Workplace.objects.annotate(lname=Lower("name")).filter(lname=name.lower())
    if exclude_pk is not None:
        qs = qs.exclude(pk=exclude_pk)
    return qs.exists()


def _check_name(name: str, *, exclude_pk: int | None = None) -> str:
    name = normalise_name(name)
    problem = name_problem(name)
    if problem:
        raise ValidationError({"name": problem})
    if name_taken(name, exclude_pk=exclude_pk):
        raise ValidationError({"name": DUPLICATE}, code="duplicate")
    return name


def _check_region(region: str) -> None:
    if region not in Region.values:
        raise ValidationError({"region": "Choose a region from the list."})


def _save(workplace: Workplace) -> None:
    # The case-insensitive unique constraint settles a race with another coordinator adding the same name.
    try:
        with transaction.atomic():
            workplace.save()
    except IntegrityError:
        raise ValidationError({"name": DUPLICATE}, code="duplicate") from None


@transaction.atomic
def create_workplace(*, actor: User, name: str, region: str, request: HttpRequest | None = None) -> Workplace:
    name = _check_name(name)
    _check_region(region)
    workplace = Workplace(name=name, region=region, active=True)
    _save(workplace)
    record("directory.workplace.created", actor=actor, target=workplace, request=request)
    return workplace


@transaction.atomic
def update_workplace(
    *, actor: User, workplace: Workplace, name: str, region: str, request: HttpRequest | None = None
) -> Workplace:
    locked = Workplace.objects.select_for_update().get(pk=workplace.pk)
    name = _check_name(name, exclude_pk=locked.pk)
    _check_region(region)
    changed = sorted(f for f, v in (("name", name), ("region", region)) if getattr(locked, f) != v)
    if not changed:
        return locked
    locked.name = name
    locked.region = region
    _save(locked)
    record("directory.workplace.updated", actor=actor, target=locked, request=request, details={"fields": changed})
    return locked


@transaction.atomic
def set_workplace_active(
    *, actor: User, workplace: Workplace, active: bool, request: HttpRequest | None = None
) -> bool:
    """Deactivate (stop offering) or reactivate a workplace. Returns whether anything changed."""
    locked = Workplace.objects.select_for_update().get(pk=workplace.pk)
    if locked.active == active:
        return False
    locked.active = active
    locked.save(update_fields=["active"])
    workplace.active = active
    record(
        "directory.workplace.reactivated" if active else "directory.workplace.deactivated",
        actor=actor,
        target=locked,
        request=request,
    )
    return True


@dataclass(frozen=True)
class BulkAddResult:
    added: list[Workplace] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # names already in the directory, or repeated in the paste


def parse_bulk_names(text: str) -> list[str]:
    """One name a line; blank lines ignored. Raises ValidationError naming every bad line, so nothing is saved."""
    lines = text.splitlines()
    names: list[str] = []
    problems: list[str] = []
    for number, line in enumerate(lines, start=1):
        name = normalise_name(line)
        if not name:
            continue
        problem = name_problem(name)
        if problem:
            problems.append(f"Line {number}: {problem}")
        names.append(name)
    if len(names) > BULK_MAX_LINES:
        raise ValidationError(f"Add at most {BULK_MAX_LINES} workplaces at a time (this has {len(names)}).")
    if problems:
        shown = problems[:10]
        if len(problems) > len(shown):
            shown.append(f"…and {len(problems) - len(shown)} more lines with problems.")
        raise ValidationError(shown)
    if not names:
        raise ValidationError("Paste at least one workplace name.")
    return names


@transaction.atomic
def bulk_add_workplaces(
    *, actor: User, names: Sequence[str], region: str, request: HttpRequest | None = None
) -> BulkAddResult:
    """Add every new name; skip those already in the directory (any case) or repeated. All or nothing."""
    _check_region(region)
    cleaned = parse_bulk_names("\n".join(names))
    existing = set(
        Workplace.objects.annotate(lname=Lower("name"))
        .filter(lname__in={n.lower() for n in cleaned})
        .values_list("lname", flat=True)
    )
    seen: set[str] = set()
    fresh: list[Workplace] = []
    skipped: list[str] = []
    for name in cleaned:
        key = name.lower()
        if key in existing or key in seen:
            skipped.append(name)
            continue
        seen.add(key)
        fresh.append(Workplace(name=name, region=region, active=True))
    try:
        with transaction.atomic():
            added = Workplace.objects.bulk_create(fresh)
    except IntegrityError:
        raise ValidationError(
            "Another coordinator added some of these workplaces just now. Please try again."
        ) from None
    # bulk_create sets primary keys on PostgreSQL and SQLite; read back by name to be sure on every backend.
    if any(w.pk is None for w in added):
        added = list(Workplace.objects.annotate(lname=Lower("name")).filter(lname__in=seen))
    record(
        "directory.workplace.bulk_added",
        actor=actor,
        target_type="directory.workplace",
        request=request,
        details={"added": len(added), "skipped": len(skipped), "region": region},
    )
    return BulkAddResult(added=added, skipped=skipped)
