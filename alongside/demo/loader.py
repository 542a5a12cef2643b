"""Demo data for development: reference data, the starter library and a made-up cast, loaded idempotently.

``load()`` only ever creates rows that are missing, found by their natural keys (a topic's slug, a
workplace's name, a resource's title or phone number, a person's email). It never updates a row that
exists, so a coordinator's edits survive every later load. The cast comes from a fixed random seed, so it
is the same on every machine. ``alongside load_demo`` is the command; ``make run`` calls it on every start.

Everyone in the cast shares one password and supporters and coordinators share one TOTP secret. Both are
published here on purpose: demo accounts are refused in production unless forced.
"""

from __future__ import annotations

import datetime as dt
import random
import secrets
import zoneinfo
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from allauth.account.models import EmailAddress
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import (
    TOTP,
    format_hotp_value,
    hotp_value,
    yield_hotp_counters_from_time,
)
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import models, transaction

from alongside.accounts.models import Profile, User
from alongside.audit.services import record
from alongside.conversations.services import post_message
from alongside.demo.data import groups as G
from alongside.demo.data import people as P
from alongside.demo.data import reference as R
from alongside.demo.data.library import RESOURCES, ResourceSeed
from alongside.directory.models import CareerStage, Language, Region, Specialty, Topic, Workplace
from alongside.groups import services as group_services
from alongside.groups.models import Group, GroupKind
from alongside.lib.time import now
from alongside.library.models import Resource
from alongside.roster.models import (
    ContactFormat,
    ContactRecord,
    PatternPlace,
    Role,
    Rota,
    Shift,
    ShiftPattern,
    ShiftPlace,
)
from alongside.roster.services import materialise
from alongside.service.models import OpeningHours, ServiceSettings
from alongside.service.selectors import forget_snapshot
from alongside.supporters import training
from alongside.supporters.models import (
    Application,
    ApplicationStatus,
    Format,
    Referee,
    SupporterProfile,
    SupporterStatus,
    TrainingModule,
    TrainingRecord,
)

SEED = 20240601
DEMO_DOMAIN = "demo.alongside.test"
DEMO_PASSWORD = "alongside-demo"
# Base32, 32 characters (20 bytes) like the secrets allauth generates. Add it to any authenticator app.
DEMO_TOTP_SECRET = "ALONGSIDEDEMOONLYNOTFORREALUSE22"
DEMO_MEMBER = f"member@{DEMO_DOMAIN}"
DEMO_SUPPORTER = f"supporter@{DEMO_DOMAIN}"
DEMO_COORDINATOR = f"coordinator@{DEMO_DOMAIN}"
DEMO_SIGN_INS: tuple[tuple[str, str], ...] = (
    ("member", DEMO_MEMBER),
    ("supporter", DEMO_SUPPORTER),
    ("coordinator", DEMO_COORDINATOR),
)
MEMBERS = 30
SUPPORTERS = 40
MELBOURNE = "Australia/Melbourne"

SERVICE_DEFAULTS: dict[str, Any] = {
    "name": "Alongside peer support",
    "region": Region.VIC,
    "time_zone": MELBOURNE,
    "about": (
        "This is a demonstration of Alongside, peer support for doctors and medical students in Victoria: "
        "every person in it is made up."
    ),
    "offers_talk_now": True,
    "offers_ongoing": True,
    "offers_groups": True,
}
WEEKDAY_HOURS = (dt.time(8, 0), dt.time(22, 0))
WEEKEND_HOURS = (dt.time(10, 0), dt.time(18, 0))


class DemoRefusedError(RuntimeError):
    """Demo accounts were asked for on a production deployment."""


# ---------------------------------------------------------------------------------------------------------------
# The cast, as plain data: built from the seed alone, so it is identical on every run and every machine.


@dataclass(frozen=True)
class SupporterSeed:
    bio: str
    topics: tuple[str, ...]  # slugs
    specialties: tuple[str, ...]  # names
    gender: str
    formats: tuple[str, ...]
    capacity: int
    status: str
    paused_days: int | None
    availability: tuple[dict[str, Any], ...]
    last_active_hours: int


@dataclass(frozen=True)
class PersonSeed:
    email: str
    display_name: str
    career_stage: str
    international_graduate: bool
    specialty: str | None
    workplaces: tuple[str, ...]
    languages: tuple[str, ...]  # codes
    time_zone: str
    is_coordinator: bool = False
    supporter: SupporterSeed | None = None

    @property
    def is_supporter(self) -> bool:
        return self.supporter is not None


def build_cast(seed: int = SEED) -> list[PersonSeed]:
    """About 30 members, 40 supporters and 2 coordinators, spread across stages, topics, languages and places."""
    rng = random.Random(seed)
    names = iter(rng.sample([f"{a} {b}" for a in P.NAME_WORDS for b in P.NAME_NATURE], k=MEMBERS + SUPPORTERS + 2))
    other_languages = [code for code, _ in R.LANGUAGES if code != "en"]
    topic_slugs = [slug for slug, _, _ in R.TOPICS]
    cast: list[PersonSeed] = []

    # The three demo sign-ins come first, with hand-picked profiles.
    cast.append(
        PersonSeed(
            email=DEMO_MEMBER,
            display_name="Saltbush",
            career_stage=CareerStage.RESIDENT,
            international_graduate=False,
            specialty="General medicine",
            workplaces=("Western Health",),
            languages=("en",),
            time_zone=MELBOURNE,
        )
    )
    cast.append(
        PersonSeed(
            email=DEMO_SUPPORTER,
            display_name="Kestrel",
            career_stage=CareerStage.CONSULTANT,
            international_graduate=False,
            specialty="Emergency medicine",
            workplaces=("Eastern Health",),
            languages=("en", "it"),
            time_zone=MELBOURNE,
            supporter=SupporterSeed(
                bio=(
                    "Emergency physician for more than ten years. I have been part of more codes than I can count, "
                    "and I burnt out once and came back more slowly than I expected. I listen more than I talk."
                ),
                topics=("incident-debrief", "burnout", "workload", "workplace-aggression", "career", "training-exams"),
                specialties=("Emergency medicine",),
                gender="man",
                formats=tuple(Format.values),
                capacity=3,
                status=SupporterStatus.ACTIVE,
                paused_days=None,
                availability=tuple(
                    {"day": d, "start": s, "end": e}
                    for d, s, e in [
                        (0, "18:00", "21:00"),
                        (1, "18:00", "21:00"),
                        (2, "12:30", "13:30"),
                        (3, "18:00", "21:00"),
                        (5, "09:00", "12:00"),
                        (6, "14:00", "17:00"),
                    ]
                ),
                last_active_hours=2,
            ),
        )
    )
    cast.append(
        PersonSeed(
            email=DEMO_COORDINATOR,
            display_name="Ironbark",
            career_stage=CareerStage.GP,
            international_graduate=False,
            specialty="General practice",
            workplaces=(),
            languages=("en",),
            time_zone=MELBOURNE,
            is_coordinator=True,
        )
    )
    cast.append(
        PersonSeed(
            email=f"coordinator2@{DEMO_DOMAIN}",
            display_name=next(names),
            career_stage=CareerStage.CONSULTANT,
            international_graduate=True,
            specialty="Psychiatry",
            workplaces=("Austin Health",),
            languages=("en", "hi"),
            time_zone=MELBOURNE,
            is_coordinator=True,
        )
    )

    # Supporters: every career stage, every topic at least three times, every language at least once.
    stages = _stage_cycle(
        rng,
        [CareerStage.STUDENT, CareerStage.INTERN, CareerStage.RESIDENT]
        + [CareerStage.REGISTRAR] * 2
        + [CareerStage.CONSULTANT] * 3
        + [CareerStage.GP] * 2
        + [CareerStage.OTHER],
        SUPPORTERS - 1,
    )
    rng.shuffle(other_languages)
    for i in range(SUPPORTERS - 1):
        stage = stages[i]
        allowed = P.JUNIOR_TOPICS.get(stage, frozenset(topic_slugs))
        anchor_topic = topic_slugs[i % len(topic_slugs)]
        if anchor_topic not in allowed:
            anchor_topic = rng.choice(sorted(allowed))
        img = anchor_topic == "img" or rng.random() < 0.15
        specialty = _specialty_for(rng, stage)
        languages = ["en"]
        if i < len(other_languages):
            languages.append(other_languages[i])
        if img and rng.random() < 0.5:
            extra = rng.choice(other_languages)
            if extra not in languages:
                languages.append(extra)
        topics = [anchor_topic]
        for slug in rng.sample(topic_slugs, k=rng.randint(1, 4)):
            if slug not in topics and slug in allowed and (slug != "img" or img):
                topics.append(slug)
        specialties = [specialty] if specialty else []
        if specialty and rng.random() < 0.25:
            second = rng.choice(R.SPECIALTIES)
            if second != specialty:
                specialties.append(second)
        status, paused_days = SupporterStatus.ACTIVE, None
        if i in (7, 23):
            status, paused_days = SupporterStatus.PAUSED, 14 + i
        elif i == 31:
            status = SupporterStatus.INACTIVE
        cast.append(
            PersonSeed(
                email=f"supporter{i + 2:02d}@{DEMO_DOMAIN}",
                display_name=next(names),
                career_stage=stage,
                international_graduate=img,
                specialty=specialty,
                workplaces=_workplaces_for(rng, stage),
                languages=tuple(languages),
                time_zone=_time_zone(rng),
                supporter=SupporterSeed(
                    bio=_bio(rng, stage, specialty, topics),
                    topics=tuple(topics),
                    specialties=tuple(specialties),
                    gender=_weighted(rng, P.GENDERS),
                    formats=_formats(rng),
                    capacity=rng.randint(1, 4),
                    status=status,
                    paused_days=paused_days,
                    availability=_availability(rng),
                    last_active_hours=rng.randint(1, 24 * 21),
                ),
            )
        )

    # Members: weighted towards the early career stages, where most calls come from.
    stages = _stage_cycle(
        rng,
        [CareerStage.STUDENT] * 2
        + [CareerStage.INTERN] * 2
        + [CareerStage.RESIDENT] * 2
        + [CareerStage.REGISTRAR] * 2
        + [CareerStage.CONSULTANT, CareerStage.GP, CareerStage.OTHER],
        MEMBERS - 1,
    )
    for i in range(MEMBERS - 1):
        stage = stages[i]
        img = rng.random() < 0.2
        languages = ["en"]
        if rng.random() < (0.6 if img else 0.25):
            languages.append(rng.choice(other_languages))
        cast.append(
            PersonSeed(
                email=f"member{i + 2:02d}@{DEMO_DOMAIN}",
                display_name=next(names),
                career_stage=stage,
                international_graduate=img,
                specialty=_specialty_for(rng, stage),
                workplaces=_workplaces_for(rng, stage),
                languages=tuple(languages),
                time_zone=_time_zone(rng),
            )
        )
    return cast


def _stage_cycle(rng: random.Random, pattern: Sequence[str], n: int) -> list[str]:
    """n stages that repeat ``pattern`` (so every stage in it appears), in a shuffled order."""
    stages = [pattern[i % len(pattern)] for i in range(n)]
    rng.shuffle(stages)
    return stages


def _specialty_for(rng: random.Random, stage: str) -> str | None:
    if stage == CareerStage.STUDENT:
        return None
    if stage == CareerStage.GP:
        return "Rural generalism" if rng.random() < 0.3 else "General practice"
    if stage == CareerStage.OTHER:
        return rng.choice(["Medical administration", "Public health medicine", None])
    if stage in (CareerStage.INTERN, CareerStage.RESIDENT) and rng.random() < 0.5:
        return None
    hospital = [s for s in R.SPECIALTIES if s not in ("General practice", "Rural generalism", "Medical administration")]
    return rng.choice(hospital)


def _workplaces_for(rng: random.Random, stage: str) -> tuple[str, ...]:
    if stage == CareerStage.STUDENT:
        school = rng.choice(R.MEDICAL_SCHOOLS)
        return (school, rng.choice(R.HEALTH_SERVICES)) if rng.random() < 0.6 else (school,)
    if stage == CareerStage.GP and rng.random() < 0.4:
        return ()  # a GP in private practice has no health service to avoid
    pool = R.HEALTH_SERVICES if rng.random() < 0.35 else R.METRO_HEALTH_SERVICES
    return tuple(rng.sample(pool, k=2 if rng.random() < 0.3 else 1))


def _time_zone(rng: random.Random) -> str:
    return rng.choice(P.OTHER_TIME_ZONES) if rng.random() < 0.12 else MELBOURNE


def _bio(rng: random.Random, stage: str, specialty: str | None, topics: Sequence[str]) -> str:
    opener = rng.choice(P.BIO_OPENERS[stage])
    if opener.startswith("{specialty}"):
        opener = opener.format(specialty=specialty or "Hospital")
    else:
        opener = opener.format(specialty=(specialty or "hospital medicine").lower())
    experience = P.BIO_EXPERIENCE_JUNIOR if stage in P.JUNIOR_TOPICS else P.BIO_EXPERIENCE
    return " ".join([opener, experience[topics[0]], rng.choice(P.BIO_CLOSERS)])


def _weighted(rng: random.Random, choices: Iterable[tuple[str, int]]) -> str:
    values, weights = zip(*choices, strict=True)
    return rng.choices(values, weights=weights)[0]


def _formats(rng: random.Random) -> tuple[str, ...]:
    odds = {Format.CHAT: 0.85, Format.VOICE: 0.6, Format.PHONE: 0.5, Format.VIDEO: 0.4}
    chosen = tuple(str(f) for f, p in odds.items() if rng.random() < p)
    return chosen or (str(Format.CHAT),)


def _availability(rng: random.Random) -> tuple[dict[str, Any], ...]:
    windows = [
        {"day": day, "start": start, "end": end}
        for days, start, end in rng.sample(P.AVAILABILITY_PATTERNS, k=rng.randint(1, 3))
        for day in days
    ]
    return tuple(sorted(windows, key=lambda w: (w["day"], w["start"])))


# ---------------------------------------------------------------------------------------------------------------
# Loading.


@dataclass
class LoadReport:
    created: dict[str, int] = field(default_factory=dict)

    def add(self, label: str, count: int) -> None:
        if count:
            self.created[label] = self.created.get(label, 0) + count

    @property
    def total(self) -> int:
        return sum(self.created.values())

    def summary(self) -> str:
        return ", ".join(f"{n} {label}" for label, n in self.created.items()) or "nothing new"


def load(*, people: bool = True, allow_production: bool = False) -> LoadReport:
    """Create whatever demo rows are missing. ``people=False`` loads only the reference data and library."""
    if people and settings.PRODUCTION and not allow_production:
        raise DemoRefusedError(
            "This is a production deployment (ALONGSIDE_ENV=production): demo accounts share a published password "
            "and TOTP secret, so they are not created here. Use --reference-only for the topics, directory and "
            "library alone, or --force-production if you really mean it."
        )
    report = LoadReport()
    with transaction.atomic():
        _load_service_settings(report)
        _load_opening_hours(report)
        _load_topics(report)
        _create_missing(Specialty, "name", R.SPECIALTIES, report, "specialties")
        _load_languages(report)
        _create_missing(Workplace, "name", R.WORKPLACES, report, "workplaces", region=Region.VIC)
        _load_resources(report)
        if people:
            _load_people(report)
            forget_snapshot()  # the roster reads the service's zone and hours, just loaded
            _load_roster(report)
            _load_training(report)
            _load_groups(report)
        if report.total:
            record("service.demo.loaded", details={"created": dict(report.created)})
    forget_snapshot()
    return report


def _load_service_settings(report: LoadReport) -> None:
    """Fill in the service's settings only while nobody has customised them."""
    row = ServiceSettings.objects.filter(pk=1).first()
    if row is None:
        ServiceSettings(**SERVICE_DEFAULTS).save()
        report.add("service settings", 1)
        return
    pristine = all(
        getattr(row, f.attname) == f.get_default()
        for f in ServiceSettings._meta.concrete_fields
        if not f.primary_key and f.name != "updated_at"
    )
    if pristine:
        for name, value in SERVICE_DEFAULTS.items():
            setattr(row, name, value)
        row.save()
        report.add("service settings", 1)


def _load_opening_hours(report: LoadReport) -> None:
    if OpeningHours.objects.exists():
        return
    rows = [
        OpeningHours(weekday=day, is_open=True, opens=hours[0], closes=hours[1])
        for day in range(7)
        for hours in [WEEKDAY_HOURS if day < 5 else WEEKEND_HOURS]
    ]
    OpeningHours.objects.bulk_create(rows)
    report.add("opening hours", len(rows))


def _load_topics(report: LoadReport) -> None:
    existing = {(slug, name.lower()) for slug, name in Topic.objects.values_list("slug", "name")}
    slugs = {slug for slug, _ in existing}
    names = {name for _, name in existing}
    rows = [
        Topic(slug=slug, name=name, experience_phrase=phrase, position=(i + 1) * 10)
        for i, (slug, name, phrase) in enumerate(R.TOPICS)
        if slug not in slugs and name.lower() not in names
    ]
    Topic.objects.bulk_create(rows)
    report.add("topics", len(rows))


def _load_languages(report: LoadReport) -> None:
    codes = set(Language.objects.values_list("code", flat=True))
    names = {n.lower() for n in Language.objects.values_list("name", flat=True)}
    rows = [Language(code=c, name=n) for c, n in R.LANGUAGES if c not in codes and n.lower() not in names]
    Language.objects.bulk_create(rows)
    report.add("languages", len(rows))


def _create_missing(
    model: type[models.Model], key: str, values: Iterable[str], report: LoadReport, label: str, **extra: Any
) -> None:
    """Rows whose ``key`` (compared without case, as the unique constraints do) is not there yet."""
    existing = {v.lower() for v in model._default_manager.values_list(key, flat=True)}
    rows = [model(**{key: v}, **extra) for v in values if v.lower() not in existing]
    model._default_manager.bulk_create(rows)
    report.add(label, len(rows))


def _digits(phone: str) -> str:
    return "".join(ch for ch in phone if ch.isdigit())


def _load_resources(report: LoadReport) -> None:
    """A resource is there already if one has its title, or (for a phone line) its number: a renamed line stays."""
    titles: set[str] = set()
    phones: set[str] = set()
    for title, phone in Resource.objects.values_list("title", "phone"):
        titles.add(title.lower())
        if phone:
            phones.add(_digits(phone))

    def present(seed: ResourceSeed) -> bool:
        return seed.title.lower() in titles or bool(seed.phone and _digits(seed.phone) in phones)

    rows = [
        Resource(
            title=s.title,
            description=s.description,
            url=s.url,
            phone=s.phone,
            category=s.category,
            region=s.region,
            is_crisis=s.is_crisis,
            is_referral=s.is_referral,
            is_public=True,  # real public services, with their public numbers and addresses
            position=s.position,
        )
        for s in RESOURCES
        if not present(s)
    ]
    Resource.objects.bulk_create(rows)
    report.add("resources", len(rows))


def _load_people(report: LoadReport) -> None:
    cast = build_cast()
    existing = set(User.objects.filter(email__in=[p.email for p in cast]).values_list("email", flat=True))
    todo = [p for p in cast if p.email not in existing]
    if not todo:
        return
    hashed = make_password(DEMO_PASSWORD)  # once: hashing is deliberately slow
    at = now()
    User.objects.bulk_create(
        [
            User(
                email=p.email,
                password=hashed,
                is_supporter=p.is_supporter,
                is_coordinator=p.is_coordinator,
                date_joined=at - dt.timedelta(days=30 + i),
            )
            for i, p in enumerate(todo)
        ]
    )
    users = {u.email: u for u in User.objects.filter(email__in=[p.email for p in todo])}
    EmailAddress.objects.bulk_create(
        [EmailAddress(user=users[p.email], email=p.email, verified=True, primary=True) for p in todo]
    )

    specialties = {s.name.lower(): s for s in Specialty.objects.all()}
    workplaces = {w.name.lower(): w.pk for w in Workplace.objects.all()}
    languages = dict(Language.objects.values_list("code", "pk"))
    topics = dict(Topic.objects.values_list("slug", "pk"))
    taken = {n.lower() for n in Profile.objects.values_list("display_name", flat=True)}

    profiles: list[Profile] = []
    for p in todo:
        name = p.display_name
        n = 2
        while name.lower() in taken:  # someone already chose this pseudonym: keep theirs, number ours
            name, n = f"{p.display_name} {n}", n + 1
        taken.add(name.lower())
        profiles.append(
            Profile(
                user=users[p.email],
                display_name=name,
                career_stage=p.career_stage,
                international_graduate=p.international_graduate,
                specialty=specialties.get(p.specialty.lower()) if p.specialty else None,
                time_zone=p.time_zone,
                completed_at=at,
            )
        )
    Profile.objects.bulk_create(profiles)
    profile_ids = dict(Profile.objects.filter(user__in=users.values()).values_list("user_id", "pk"))
    _link(
        Profile.workplaces.through,
        "profile_id",
        "workplace_id",
        [(profile_ids[users[p.email].pk], workplaces.get(w.lower())) for p in todo for w in p.workplaces],
    )
    _link(
        Profile.languages.through,
        "profile_id",
        "language_id",
        [(profile_ids[users[p.email].pk], languages.get(code)) for p in todo for code in p.languages],
    )

    supporters = [p for p in todo if p.supporter is not None]
    SupporterProfile.objects.bulk_create(
        [
            SupporterProfile(
                user=users[p.email],
                bio=s.bio,
                gender=s.gender,
                formats=list(s.formats),
                capacity=s.capacity,
                status=s.status,
                paused_until=(at + dt.timedelta(days=s.paused_days)).date() if s.paused_days else None,
                availability=[dict(w) for w in s.availability],
                last_active_at=at - dt.timedelta(hours=s.last_active_hours),
            )
            for p in supporters
            if (s := p.supporter) is not None
        ]
    )
    sp_ids = dict(SupporterProfile.objects.filter(user__in=users.values()).values_list("user_id", "pk"))
    pairs = [(sp_ids[users[p.email].pk], p.supporter) for p in supporters if p.supporter is not None]
    _link(
        SupporterProfile.topics.through,
        "supporterprofile_id",
        "topic_id",
        [(sp, topics.get(slug)) for sp, s in pairs for slug in s.topics],
    )
    _link(
        SupporterProfile.specialties.through,
        "supporterprofile_id",
        "specialty_id",
        [(sp, getattr(specialties.get(name.lower()), "pk", None)) for sp, s in pairs for name in s.specialties],
    )

    # Supporters and coordinators must use MFA: enrol them through allauth, whose adapter encrypts the secret.
    staff = [users[p.email] for p in todo if p.is_supporter or p.is_coordinator]
    for user in staff:
        TOTP.activate(user, DEMO_TOTP_SECRET)
        RecoveryCodes.activate(user)

    report.add("people", len(todo))
    report.add("supporter profiles", len(supporters))


# The roster: two shifts each weekday (8 am - 3 pm, 3 pm - 10 pm) and one each weekend day (10 am - 6 pm), covering
# the demo hours, each with one primary and one backup place.
ROSTER_SHIFTS = (
    [(day, dt.time(8), dt.time(15)) for day in range(5)]
    + [(day, dt.time(15), dt.time(22)) for day in range(5)]
    + [(day, dt.time(10), dt.time(18)) for day in (5, 6)]
)
ROSTER_GAP_HOURS = 30
"""The first load leaves the primary place empty on the shift running this many hours ahead: one gap in the next 72."""


def _load_roster(report: LoadReport) -> None:
    """Weekly patterns over the opening hours with demo supporters as primary and backup, their next four weeks of
    shifts, one gap in the next 72 hours, and the demo supporter on shift now whatever the hour."""
    kestrel = User.objects.filter(email=DEMO_SUPPORTER).first()
    active = list(
        User.objects.filter(is_supporter=True, supporter__status=SupporterStatus.ACTIVE)
        .exclude(email=DEMO_SUPPORTER)
        .order_by("pk")
    )
    if kestrel is None or len(active) < 2:
        return
    at = now()
    if not ShiftPattern.objects.exists():
        today = at.astimezone(zoneinfo.ZoneInfo(MELBOURNE)).date()
        for i, (day, starts, ends) in enumerate(ROSTER_SHIFTS):
            pattern = ShiftPattern.objects.create(
                weekday=day, starts=starts, ends=ends, primary_places=1, backup_places=1, valid_from=today
            )
            # The demo supporter takes the weekday evenings; the rest take turns.
            primary = kestrel if starts == dt.time(15) and day in (1, 3) else active[(2 * i) % len(active)]
            backup = active[(2 * i + 1) % len(active)]
            PatternPlace.objects.create(pattern=pattern, supporter=primary, role=Role.PRIMARY)
            PatternPlace.objects.create(pattern=pattern, supporter=backup, role=Role.BACKUP)
        report.add("shift patterns", len(ROSTER_SHIFTS))
        made = materialise(at=at)
        report.add("shifts", made)
        ahead = at + dt.timedelta(hours=ROSTER_GAP_HOURS)
        gap = Shift.objects.filter(starts_at__gte=ahead, pattern__isnull=False).order_by("starts_at").first()
        if gap is not None:
            ShiftPlace.objects.filter(shift=gap, role=Role.PRIMARY).delete()
            Shift.objects.filter(pk=gap.pk).update(edited_at=at)
    else:
        made = materialise(at=at)
        if made:
            report.add("shifts", made)
    on_now = ShiftPlace.objects.filter(
        supporter=kestrel, shift__starts_at__lte=at, shift__ends_at__gt=at, shift__cancelled_at__isnull=True
    ).exists()
    if not on_now:
        # A one-off around now, so the demo shows someone on shift even at 3 am (outside the service's hours).
        shift = Shift.objects.create(
            starts_at=at - dt.timedelta(minutes=30), ends_at=at + dt.timedelta(hours=4), edited_at=at, backup_places=0
        )
        ShiftPlace.objects.create(shift=shift, supporter=kestrel, role=Role.PRIMARY)
        report.add("shifts", 1)
    _load_on_call(report, at)
    if not ContactRecord.objects.filter(supporter=kestrel).exists():
        ContactRecord.objects.create(
            supporter=kestrel,
            format=ContactFormat.TALKNOW_CHAT,
            started_at=at - dt.timedelta(minutes=40),
            ended_at=at - dt.timedelta(minutes=20),
            minutes=20,
        )
        report.add("contact records", 1)


TRAINING = (
    ("Peer support foundations", True, 24),
    ("Crisis support and risk of harm", True, 12),
    ("Supporting a colleague through a complaint", False, None),
)


def _load_training(report: LoadReport) -> None:
    """Three modules (two required), every demo supporter current in the required ones (so none is paused), and one
    application waiting for its references, so the console's Applications and Training pages have something in them."""
    made = 0
    modules = []
    for title, required, months in TRAINING:
        module, created = TrainingModule.objects.get_or_create(
            title=title, defaults={"required": required, "renewal_months": months}
        )
        made += created
        modules.append(module)
    if made:
        report.add("training modules", made)
    coordinator = User.objects.filter(is_coordinator=True).order_by("pk").first()
    done_on = now().date() - dt.timedelta(days=90)
    rows = []
    for supporter in User.objects.filter(is_supporter=True).order_by("pk"):
        for module in modules:
            if module.required and not TrainingRecord.objects.filter(user=supporter, module=module).exists():
                rows.append(
                    TrainingRecord(
                        user=supporter,
                        module=module,
                        completed_on=done_on,
                        confirmed_at=now(),
                        confirmed_by=coordinator,
                        expires_on=training.expiry_of(module, done_on),
                    )
                )
    TrainingRecord.objects.bulk_create(rows)
    if rows:
        report.add("training records", len(rows))
    applicant = (
        User.objects.filter(is_supporter=False, is_coordinator=False, email__endswith=DEMO_DOMAIN)
        .exclude(email=DEMO_MEMBER)
        .order_by("pk")
        .first()
    )
    if applicant is not None and not Application.objects.filter(user=applicant).exists():
        application = Application.objects.create(
            user=applicant,
            full_name="Dr Sam Okafor",
            registration_number="MED0009876543",
            career_stage="registrar",
            motivation="A peer listened to me in my intern year. I would like to do the same for someone else.",
            hours_per_month=6,
            status=ApplicationStatus.REFERENCES,
            registration_checked_at=now(),
            registration_checked_by=coordinator,
        )
        for name, email, relationship in (
            ("Dr Priya Raman", "priya.raman@demo.alongside.test", "supervising consultant"),
            ("Dr Tom Walsh", "tom.walsh@demo.alongside.test", "director of training"),
        ):
            Referee.objects.create(
                application=application,
                name=name,
                email=email,
                relationship=relationship,
                selector=secrets.token_hex(8),
                verifier_hash="",
                expires_at=now(),
            )
        report.add("applications", 1)


def _load_on_call(report: LoadReport, at: dt.datetime) -> None:
    """The coordinators' on-call rota over the opening hours, the demo coordinator primary and the second backup, so
    a concern raised in the demo reaches someone (and, outside the hours, a one-off around now, like the supporter's
    shift)."""
    coordinator = User.objects.filter(email=DEMO_COORDINATOR).first()
    backup = User.objects.filter(email=f"coordinator2@{DEMO_DOMAIN}").first()
    if coordinator is None:
        return
    if not ShiftPattern.objects.filter(rota=Rota.ON_CALL).exists():
        today = at.astimezone(zoneinfo.ZoneInfo(MELBOURNE)).date()
        for day in range(7):
            starts, ends = WEEKDAY_HOURS if day < 5 else WEEKEND_HOURS
            pattern = ShiftPattern.objects.create(
                rota=Rota.ON_CALL,
                weekday=day,
                starts=starts,
                ends=ends,
                primary_places=1,
                backup_places=1 if backup is not None else 0,
                valid_from=today,
            )
            PatternPlace.objects.create(pattern=pattern, supporter=coordinator, role=Role.PRIMARY)
            if backup is not None:
                PatternPlace.objects.create(pattern=pattern, supporter=backup, role=Role.BACKUP)
        report.add("on-call patterns", 7)
        made = materialise(at=at)
        if made:
            report.add("shifts", made)
    on_call_now = ShiftPlace.objects.filter(
        supporter=coordinator,
        shift__rota=Rota.ON_CALL,
        shift__starts_at__lte=at,
        shift__ends_at__gt=at,
        shift__cancelled_at__isnull=True,
    ).exists()
    if not on_call_now:
        shift = Shift.objects.create(
            rota=Rota.ON_CALL,
            starts_at=at - dt.timedelta(minutes=30),
            ends_at=at + dt.timedelta(hours=4),
            edited_at=at,
            backup_places=0,
        )
        ShiftPlace.objects.create(shift=shift, supporter=coordinator, role=Role.PRIMARY)
        report.add("shifts", 1)


def _load_groups(report: LoadReport) -> None:
    """The circles, the supervision group and an upcoming drop-in (a new one once the last has ended), made with the
    groups services; the demo member is in the interns' circle. A group that exists (by name) is left as it is."""
    supporter = User.objects.filter(email=DEMO_SUPPORTER).first()
    coordinator = User.objects.filter(email=DEMO_COORDINATOR).first()
    member = User.objects.filter(email=DEMO_MEMBER).first()
    if supporter is None or coordinator is None or member is None:
        return
    cast = User.objects.filter(email__endswith=f"@{DEMO_DOMAIN}", is_active=True).order_by("pk")
    members = list(cast.filter(is_supporter=False, is_coordinator=False).exclude(pk=member.pk))
    supporters = list(cast.filter(is_supporter=True, supporter__status=SupporterStatus.ACTIVE).exclude(pk=supporter.pk))
    if len(members) < 12 or len(supporters) < 8:
        return
    made = 0
    for i, seed in enumerate(G.CIRCLES):
        if Group.objects.filter(kind=seed.kind, name=seed.name).exists():
            continue
        facilitator = supporter if i == 0 else supporters[i]
        chosen = members[4 * i : 4 * i + seed.members]
        if seed.name == "Interns 2027":
            chosen = [member, *chosen]
        _make_group(seed, created_by=coordinator, facilitator=facilitator, people=chosen)
        made += 1
    if not Group.objects.filter(kind=G.SUPERVISION.kind, name=G.SUPERVISION.name).exists():
        _make_group(
            G.SUPERVISION, created_by=coordinator, facilitator=coordinator, people=[supporter, *supporters[-4:]]
        )
        made += 1
    at = now()
    upcoming = Group.objects.filter(kind=GroupKind.DROP_IN, ended_at__isnull=True, ends_at__gt=at).exists()
    if not upcoming:
        day = at.astimezone(zoneinfo.ZoneInfo(MELBOURNE)).date() + dt.timedelta(days=G.DROP_IN_DAYS_AHEAD)
        starts = dt.datetime.combine(day, dt.time(G.DROP_IN_HOUR), zoneinfo.ZoneInfo(MELBOURNE))
        _make_group(
            G.DROP_IN,
            created_by=coordinator,
            facilitator=supporters[0],
            people=members[-G.DROP_IN.members :],
            starts_at=starts,
            ends_at=starts + dt.timedelta(hours=1),
        )
        made += 1
    report.add("groups", made)


def _make_group(
    seed: G.GroupSeed,
    *,
    created_by: User,
    facilitator: User,
    people: Sequence[User],
    starts_at: dt.datetime | None = None,
    ends_at: dt.datetime | None = None,
) -> Group:
    group = group_services.create_group(
        kind=seed.kind,
        name=seed.name,
        purpose=seed.purpose,
        description=seed.description,
        capacity=seed.capacity,
        join_policy=seed.join_policy,
        schedule=seed.schedule,
        created_by=created_by,
        facilitators=[facilitator],
        starts_at=starts_at,
        ends_at=ends_at,
    )
    for person in people:
        group_services.join(group=group, user=person, accepted_agreement=True)
        group_services.approve(membership=group.memberships.get(user=person), by=facilitator)
    speakers = [facilitator, *people]
    for n, body in enumerate(seed.messages):
        post_message(
            thread_id=group.thread_id, sender_id=speakers[n % len(speakers)].pk, client_key=f"demo-{n}", body=body
        )
    return group


def _link(through: type[models.Model], left: str, right: str, pairs: Iterable[tuple[int, int | None]]) -> None:
    """Bulk-insert many-to-many rows, skipping references a coordinator has since deleted."""
    seen: set[tuple[int, int]] = set()
    rows = []
    for a, b in pairs:
        if b is not None and (a, b) not in seen:
            seen.add((a, b))
            rows.append(through(**{left: a, right: b}))
    through._default_manager.bulk_create(rows)


def current_code(secret: str = DEMO_TOTP_SECRET) -> str:
    """The six-digit code an authenticator app would show now for ``secret``."""
    counters = list(yield_hotp_counters_from_time())
    return format_hotp_value(hotp_value(secret, counters[len(counters) // 2]))
