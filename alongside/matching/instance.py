"""Loading and validating a JSON matching instance (the format is documented in docs/matching.md).

Every error names the offending field by its path, e.g. ``requests[3].languages: expected a
list of strings``, so that whoever wrote the file can fix it without reading code.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any, Final

from alongside.matching.engine import (
    CAREER_STAGES,
    FORMATS,
    HOURS_PER_WEEK,
    MAX_WEIGHT,
    PEER_KINDS,
    SAME_SPECIALTY,
    Request,
    Supporter,
    Weights,
)

MAX_ID: Final = 2**53  # ids must survive a round trip through JSON numbers in any language


class InstanceError(ValueError):
    """Invalid instance; the message starts with the path of the offending field."""


@dataclass(frozen=True, slots=True)
class Instance:
    weights: Weights
    supporters: tuple[Supporter, ...]
    requests: tuple[Request, ...]


# --- field readers: each takes (path, raw value) and returns the typed value or raises ------

Reader = Callable[[str, Any], Any]


def _integer(low: int, high: int) -> Reader:
    def read(path: str, value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise InstanceError(f"{path}: expected an integer from {low} to {high}")
        return value

    return read


def _number(path: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value) or value < 0:
        raise InstanceError(f"{path}: expected a number of at least 0")
    return float(value)


def _boolean(path: str, value: Any) -> bool:
    if not isinstance(value, bool):
        raise InstanceError(f"{path}: expected true or false")
    return value


def _choice(options: tuple[str, ...]) -> Reader:
    def read(path: str, value: Any) -> str:
        if not isinstance(value, str) or value not in options:
            raise InstanceError(f"{path}: expected one of {', '.join(options)}")
        return value

    return read


def _optional_text(path: str, value: Any) -> str | None:
    if value is not None and (not isinstance(value, str) or not value):
        raise InstanceError(f"{path}: expected a non-empty string or null")
    return value


def _strings(options: tuple[str, ...] | None = None) -> Reader:
    def read(path: str, value: Any) -> frozenset[str]:
        if not isinstance(value, list) or not all(isinstance(x, str) and x for x in value):
            raise InstanceError(f"{path}: expected a list of strings")
        for i, x in enumerate(value):
            if options is not None and x not in options:
                raise InstanceError(f"{path}[{i}]: expected one of {', '.join(options)}")
        return frozenset(value)

    return read


def _integers(low: int, high: int, what: str = "integers") -> Reader:
    def read(path: str, value: Any) -> frozenset[int]:
        if not isinstance(value, list):
            raise InstanceError(f"{path}: expected a list of {what}")
        for i, x in enumerate(value):
            if isinstance(x, bool) or not isinstance(x, int) or not low <= x <= high:
                raise InstanceError(f"{path}[{i}]: expected an integer from {low} to {high}")
        return frozenset(value)

    return read


_ID = _integer(0, MAX_ID)
_COUNT = _integer(0, 10_000)
_SLOTS = _integers(0, HOURS_PER_WEEK - 1, "hour-of-week slots")
_IDS = _integers(0, MAX_ID, "ids")
_REQUIRED: Final = object()

# name -> (reader, default or _REQUIRED). Defaults are documented in docs/matching.md.
SUPPORTER_FIELDS: Final[Mapping[str, tuple[Reader, Any]]] = {
    "id": (_ID, _REQUIRED),
    "user_id": (_ID, _REQUIRED),
    "career_stage": (_choice(CAREER_STAGES), _REQUIRED),
    "specialties": (_strings(), frozenset()),
    "specialty": (_optional_text, None),  # the older single-specialty form, added to ``specialties``
    "topics": (_strings(), frozenset()),
    "languages": (_strings(), _REQUIRED),
    "gender": (_optional_text, None),
    "workplaces": (_IDS, frozenset()),
    "formats": (_strings(FORMATS), _REQUIRED),
    "capacity": (_COUNT, _REQUIRED),
    "active_load": (_COUNT, 0),
    "capacity_left": (_COUNT, None),  # default: capacity - active_load, at least 0
    "available": (_boolean, True),
    "availability": (_SLOTS, frozenset()),
}
REQUEST_FIELDS: Final[Mapping[str, tuple[Reader, Any]]] = {
    "id": (_ID, _REQUIRED),
    "member_user_id": (_ID, _REQUIRED),
    "topics": (_strings(), frozenset()),
    "peer_kind": (_choice(PEER_KINDS), "any"),
    "same_specialty": (_choice(SAME_SPECIALTY), "any"),
    "specialty": (_optional_text, None),
    "career_stage": (_choice(CAREER_STAGES), "other"),
    "gender_wanted": (_optional_text, None),
    "languages": (_strings(), _REQUIRED),
    "formats": (_strings(FORMATS), _REQUIRED),
    "availability": (_SLOTS, frozenset()),
    "member_workplaces": (_IDS, frozenset()),
    "allow_own_workplace": (_boolean, False),
    "excluded_workplaces": (_IDS, frozenset()),
    "blocked_supporter_ids": (_IDS, frozenset()),
    "waited_hours": (_number, 0.0),
    "utc_offset_minutes": (_integer(-12 * 60, 14 * 60), 0),
}


def _record(path: str, raw: Any, spec: Mapping[str, tuple[Reader, Any]]) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise InstanceError(f"{path}: expected an object")
    for key in raw:
        if key not in spec:
            raise InstanceError(f"{path}.{key}: unknown field")
    out: dict[str, Any] = {}
    for name, (read, default) in spec.items():
        if name in raw:
            out[name] = read(f"{path}.{name}", raw[name])
        elif default is _REQUIRED:
            raise InstanceError(f"{path}.{name}: required")
        else:
            out[name] = default
    return out


def _records(data: Mapping[str, Any], key: str, spec: Mapping[str, tuple[Reader, Any]]) -> list[dict[str, Any]]:
    raw = data.get(key, [])
    if not isinstance(raw, list):
        raise InstanceError(f"{key}: expected a list")
    records = [_record(f"{key}[{i}]", item, spec) for i, item in enumerate(raw)]
    seen: dict[int, int] = {}
    for i, record in enumerate(records):
        if record["id"] in seen:
            raise InstanceError(f"{key}[{i}].id: duplicate id {record['id']} (also {key}[{seen[record['id']]}])")
        seen[record["id"]] = i
    return records


def parse_instance(data: Any) -> Instance:
    """Validate decoded JSON and build the dataclasses; raise InstanceError naming the field."""
    if not isinstance(data, dict):
        raise InstanceError("instance: expected a JSON object with supporters and requests")
    for key in data:
        if key not in ("weights", "supporters", "requests"):
            raise InstanceError(f"{key}: unknown field (expected weights, supporters, requests)")
    raw_weights = data.get("weights", {})
    if not isinstance(raw_weights, dict):
        raise InstanceError("weights: expected an object")
    known = {f.name for f in fields(Weights)}
    for key, value in raw_weights.items():
        if key not in known:
            raise InstanceError(f"weights.{key}: unknown weight (expected one of {', '.join(sorted(known))})")
        if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= MAX_WEIGHT:
            raise InstanceError(f"weights.{key}: expected a number from 0 to {MAX_WEIGHT:g}")
    supporters = []
    for i, record in enumerate(_records(data, "supporters", SUPPORTER_FIELDS)):
        single = record.pop("specialty")
        if single is not None:
            record["specialties"] = record["specialties"] | {single}
        if record["capacity_left"] is None:
            record["capacity_left"] = max(record["capacity"] - record["active_load"], 0)
        elif record["capacity_left"] > record["capacity"]:
            raise InstanceError(f"supporters[{i}].capacity_left: cannot exceed capacity ({record['capacity']})")
        supporters.append(Supporter(**record))
    requests = [Request(**record) for record in _records(data, "requests", REQUEST_FIELDS)]
    return Instance(Weights.from_dict(raw_weights), tuple(supporters), tuple(requests))


def load_instance(path: str | Path) -> Instance:
    """Read and validate an instance file. A missing or unreadable file raises OSError."""
    text = Path(path).read_text(encoding="utf-8")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        where = f"line {error.lineno}, column {error.colno}"
        raise InstanceError(f"instance: not valid JSON ({error.msg} at {where})") from error
    return parse_instance(data)


def instance_to_dict(instance: Instance) -> dict[str, Any]:
    """The JSON form of an instance (sets as sorted lists), the inverse of ``parse_instance``."""

    def plain(obj: object) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for f in fields(obj):  # type: ignore[arg-type]
            value = getattr(obj, f.name)
            out[f.name] = sorted(value) if isinstance(value, frozenset) else value
        return out

    return {
        "weights": instance.weights.to_dict(),
        "supporters": [plain(s) for s in instance.supporters],
        "requests": [plain(r) for r in instance.requests],
    }
