"""The service's reports over a period: contacts by format, topic, career stage and region, by month; talk-now
outcomes and waits; how long requests for an ongoing peer waited; how connections ended; feedback.

**No report reveals a small group.** Every count under ``SMALL`` (5) is shown as "<5", zero included. Where a table's
cells add up to a total that is shown, the suppressed cells' sum can be worked out by subtracting the shown ones from
the total; so more cells are hidden ("hidden", explained on the page), smallest first, until that sum belongs to at
least two cells and is 0 or at least 5. A total under 5 hides every cell.
Waits and feedback are shown only when at least 5 values make them up. Topics overlap (one contact can have
several), so that table has no total. Everything is counted in the service's time zone, over whole days.
"""

from __future__ import annotations

import datetime as dt
import statistics
import zoneinfo
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db.models import Avg, Count, F, Q, QuerySet

from alongside.connections.models import (
    LIVE_REQUEST_STATUSES,
    Connection,
    EndKind,
    Feedback,
    RequestStatus,
    SupportRequest,
)
from alongside.directory.models import CareerStage, Region, Topic
from alongside.lib.time import now
from alongside.roster.models import ContactFormat, ContactRecord
from alongside.service.selectors import current_settings
from alongside.talknow.models import State, TalkNowRequest

SMALL = 5
"""Counts under this are never shown."""
MAX_DAYS = 3 * 366
SMALL_TEXT = "<5"
HIDDEN_TEXT = "hidden"


@dataclass(frozen=True)
class Cell:
    label: str
    value: int
    shown: str
    """What the page, the chart and the CSV show: the number, "<5", or "hidden"."""

    @property
    def suppressed(self) -> bool:
        return self.shown in (SMALL_TEXT, HIDDEN_TEXT)


@dataclass(frozen=True)
class Table:
    key: str
    title: str
    cells: list[Cell]
    total: Cell | None = None
    note: str = ""

    @property
    def empty(self) -> bool:
        return not any(cell.value for cell in self.cells)

    @property
    def has_hidden(self) -> bool:
        return any(cell.shown == HIDDEN_TEXT for cell in self.cells)


def _cell(label: str, value: int) -> Cell:
    return Cell(label, value, str(value) if value >= SMALL else SMALL_TEXT)


def suppress(pairs: Sequence[tuple[str, int]], *, total: bool) -> tuple[list[Cell], Cell | None]:
    """The cells with small counts suppressed; with ``total``, also the cells that would give a small one away."""
    cells = [_cell(label, value) for label, value in pairs]
    if not total:
        return cells, None
    sum_cell = _cell("Total", sum(value for _label, value in pairs))
    if sum_cell.suppressed:
        return [Cell(c.label, c.value, SMALL_TEXT if c.value < SMALL else HIDDEN_TEXT) for c in cells], sum_cell
    while True:
        # Beside a total, the hidden cells' sum can be worked out: it must not be one cell alone, nor under 5 (but
        # not 0: nothing to give away). Hide the smallest shown cell until it is neither.
        hidden = [c for c in cells if c.suppressed]
        held = sum(c.value for c in hidden)
        shown = [i for i, c in enumerate(cells) if not c.suppressed]
        if not hidden or not shown or (len(hidden) > 1 and (held == 0 or held >= SMALL)):
            break
        j = min(shown, key=lambda i: (cells[i].value, i))
        cells[j] = Cell(cells[j].label, cells[j].value, HIDDEN_TEXT)
    return cells, sum_cell


def _table(key: str, title: str, pairs: Sequence[tuple[str, int]], *, total: bool = True, note: str = "") -> Table:
    cells, sum_cell = suppress(pairs, total=total)
    return Table(key, title, cells, sum_cell, note)


# --- the period -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    start: dt.date
    end: dt.date
    """Inclusive: the report covers whole days from ``start`` to ``end`` in the service's time zone."""
    zone: str = field(default="UTC")

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def bounds(self) -> tuple[dt.datetime, dt.datetime]:
        tz = zoneinfo.ZoneInfo(self.zone)
        first = dt.datetime.combine(self.start, dt.time(), tzinfo=tz)
        after = dt.datetime.combine(self.end + dt.timedelta(days=1), dt.time(), tzinfo=tz)
        return first.astimezone(dt.UTC), after.astimezone(dt.UTC)


def default_period(today: dt.date | None = None) -> Period:
    zone = current_settings().time_zone
    today = today or now().astimezone(zoneinfo.ZoneInfo(zone)).date()
    return Period(today - dt.timedelta(days=29), today, zone)


def parse_period(start: str, end: str) -> Period:
    """A period from the form's two dates; refused with words a coordinator can act on."""
    zone = current_settings().time_zone
    if not start or not end:
        raise ValidationError("Choose a first day and a last day for the report.")
    try:
        first, last = dt.date.fromisoformat(start), dt.date.fromisoformat(end)
    except ValueError:
        raise ValidationError("Give the days as dates, such as 2026-07-01.") from None
    if last < first:
        raise ValidationError("The last day is before the first day: swap them round.")
    if (last - first).days + 1 > MAX_DAYS:
        raise ValidationError("Choose a period of at most three years.")
    return Period(first, last, zone)


# --- the figures --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Figure:
    """A summary number made of several values (a median wait, an average score): shown only when at least
    ``SMALL`` values make it up."""

    label: str
    count: int
    value: str

    @property
    def shown(self) -> str:
        return self.value if self.count >= SMALL else "fewer than 5, not shown"


@dataclass(frozen=True)
class Report:
    period: Period
    contacts: int
    tables: list[Table]
    figures: list[Figure]

    @property
    def empty(self) -> bool:
        return self.contacts == 0 and all(t.empty for t in self.tables) and all(f.count == 0 for f in self.figures)


BY_FIELDS = ("format", "career_stage", "region")


def _counts_by(qs: QuerySet[ContactRecord]) -> dict[str, dict[str, int]]:
    """Contacts counted by format, by career stage and by region, in one pass over them (a few hundred groups)."""
    counts: dict[str, dict[str, int]] = {name: {} for name in BY_FIELDS}
    for row in qs.values(*BY_FIELDS).annotate(n=Count("id")).order_by():
        for name in BY_FIELDS:
            counts[name][row[name]] = counts[name].get(row[name], 0) + row["n"]
    return counts


def _by(counts: dict[str, int], choices: Iterable[tuple[str, str]], blank: str) -> list[tuple[str, int]]:
    pairs = [(label, counts.get(value, 0)) for value, label in choices]
    if counts.get("", 0) or blank:
        pairs.append((blank, counts.get("", 0)))
    return pairs


def _months(qs: QuerySet[ContactRecord], period: Period) -> list[tuple[str, int]]:
    """Counts per calendar month in the service's zone, in one pass (a conditional count per month: no per-row time
    zone conversion, which SQLite would do in Python)."""
    tz = zoneinfo.ZoneInfo(period.zone)
    months = []
    month = period.start.replace(day=1)
    while month <= period.end:
        following = (month + dt.timedelta(days=32)).replace(day=1)
        months.append((month, following))
        month = following
    first, after = period.bounds()
    counts = qs.aggregate(
        **{
            f"m{i}": Count(
                "id",
                filter=Q(
                    started_at__gte=max(first, dt.datetime.combine(a, dt.time(), tzinfo=tz)),
                    started_at__lt=min(after, dt.datetime.combine(b, dt.time(), tzinfo=tz)),
                ),
            )
            for i, (a, b) in enumerate(months)
        }
    )
    return [(a.strftime("%b %Y"), int(counts[f"m{i}"] or 0)) for i, (a, _b) in enumerate(months)]


def _minutes(deltas: Iterable[dt.timedelta]) -> list[float]:
    return [d.total_seconds() / 60 for d in deltas]


def _wait_figure(label: str, minutes: list[float], *, unit: str = "minutes") -> Figure:
    if not minutes:
        return Figure(label, 0, "")
    median = statistics.median(minutes)
    high = statistics.quantiles(minutes, n=10)[-1] if len(minutes) >= 2 else minutes[0]
    if unit == "days":
        text = f"median {median / 1440:.1f} days, 9 in 10 within {high / 1440:.1f} days"
    else:
        text = f"median {median:.1f} minutes, 9 in 10 within {high:.1f} minutes"
    return Figure(label, len(minutes), text)


def build_report(period: Period) -> Report:
    start, after = period.bounds()
    contacts = ContactRecord.objects.filter(started_at__gte=start, started_at__lt=after)
    topic_counts = _topic_counts(start, after)
    by = _counts_by(contacts)
    total = sum(by["format"].values())
    tables = [
        _table("format", "Contacts by format", _by(by["format"], ContactFormat.choices, "")),
        _table("month", "Contacts by month", _months(contacts, period)),
        _table(
            "topic",
            "Contacts by topic",
            sorted(topic_counts.items(), key=lambda kv: (-kv[1], kv[0])),
            total=False,
            note="A contact can be about several topics, so these don't add up to the number of contacts.",
        ),
        _table("stage", "Contacts by career stage", _by(by["career_stage"], CareerStage.choices, "Not said")),
        _table("region", "Contacts by region", _by(by["region"], Region.choices, "Not known")),
    ]
    talknow = TalkNowRequest.objects.filter(created_at__gte=start, created_at__lt=after)
    outcome = dict(talknow.values_list("state").annotate(n=Count("id")).values_list("state", "n"))
    answered = outcome.get(State.CONNECTED, 0) + outcome.get(State.ENDED, 0)
    tables.append(
        _table(
            "talknow",
            "Talk now: what happened to each request",
            [
                ("Answered by a supporter", answered),
                ("Cancelled by the member", outcome.get(State.CANCELLED, 0)),
                ("Nobody answered in time", outcome.get(State.LAPSED, 0)),
                ("Still waiting", outcome.get(State.WAITING, 0)),
            ],
        )
    )
    requests = SupportRequest.objects.filter(created_at__gte=start, created_at__lt=after)
    by_status = dict(requests.values_list("status").annotate(n=Count("id")).values_list("status", "n"))
    tables.append(
        _table(
            "requests",
            "Requests for an ongoing peer",
            [
                ("Matched with a peer", by_status.get(RequestStatus.MATCHED, 0)),
                ("Withdrawn by the member", by_status.get(RequestStatus.WITHDRAWN, 0)),
                ("Still being matched", sum(by_status.get(s, 0) for s in LIVE_REQUEST_STATUSES)),
            ],
        )
    )
    ended = Connection.objects.filter(ended_at__gte=start, ended_at__lt=after)
    ends = dict(ended.values_list("end_kind").annotate(n=Count("id")).values_list("end_kind", "n"))
    tables.append(
        _table(
            "outcome",
            "How ongoing connections ended",
            [(label, ends.get(value, 0)) for value, label in EndKind.choices],
        )
    )
    waits = _minutes(
        talknow.filter(connected_at__isnull=False)
        .annotate(w=F("connected_at") - F("created_at"))
        .values_list("w", flat=True)
    )
    matched = _minutes(
        Connection.objects.filter(started_at__gte=start, started_at__lt=after)
        .annotate(w=F("started_at") - F("request__created_at"))
        .values_list("w", flat=True)
    )
    feedback = Feedback.objects.filter(month__gte=period.start.replace(day=1), month__lte=period.end)
    scores = feedback.aggregate(
        n=Count("id"), heard=Avg("felt_heard"), respected=Avg("felt_respected"), recommend=Avg("would_recommend")
    )
    n = int(scores["n"] or 0)
    figures = [
        _wait_figure("Talk now: wait until a supporter answered", waits),
        _wait_figure("Ongoing peer: wait from request to connection", matched, unit="days"),
        Figure(
            "Feedback after a connection (out of 5)",
            n,
            (
                f"felt heard {scores['heard']:.1f}, felt respected {scores['respected']:.1f}, "
                f"would recommend {scores['recommend']:.1f} ({n} answers)"
            )
            if n
            else "",
        ),
    ]
    return Report(period, total, tables, figures)


def _topic_counts(start: dt.datetime, after: dt.datetime) -> dict[str, int]:
    through = ContactRecord.topics.through
    rows = (
        through.objects.filter(contactrecord__started_at__gte=start, contactrecord__started_at__lt=after)
        .values_list("topic__name")
        .annotate(n=Count("id"))
    )
    counts = dict.fromkeys(Topic.objects.values_list("name", flat=True), 0)
    counts.update(dict(rows))
    return counts
