"""Time zone choices for every time-zone field: Australia and New Zealand first, by readable names.

The list holds canonical IANA zones only (one per region of a country, from tzdata's
``zone.tab``), never legacy aliases such as ``Australia/ACT`` or ``Asia/Calcutta``; a
stored or posted alias is read as the zone it links to.
"""

from __future__ import annotations

import hashlib
import json
import zoneinfo
from functools import lru_cache
from importlib import resources
from typing import Any

from django import forms
from django.conf import settings
from django.forms.renderers import BaseRenderer, get_default_renderer
from django.utils.safestring import SafeString

# In the order people look for them: the big cities, then the rest of the mainland, then the islands.
AU_NZ: tuple[tuple[str, str], ...] = (
    ("Australia/Sydney", "Sydney, Canberra (AEST/AEDT)"),
    ("Australia/Melbourne", "Melbourne (AEST/AEDT)"),
    ("Australia/Brisbane", "Brisbane, Queensland (AEST, no daylight saving)"),
    ("Australia/Adelaide", "Adelaide (ACST/ACDT)"),
    ("Australia/Perth", "Perth, Western Australia (AWST)"),
    ("Australia/Hobart", "Hobart, Tasmania (AEST/AEDT)"),
    ("Australia/Darwin", "Darwin, Northern Territory (ACST)"),
    ("Australia/Broken_Hill", "Broken Hill, New South Wales (ACST/ACDT)"),
    ("Australia/Lindeman", "Whitsunday Islands, Queensland (AEST)"),
    ("Australia/Eucla", "Eucla, Western Australia (UTC+8:45)"),
    ("Australia/Lord_Howe", "Lord Howe Island (UTC+10:30/+11)"),
    ("Antarctica/Macquarie", "Macquarie Island (AEST/AEDT)"),
    ("Pacific/Norfolk", "Norfolk Island (UTC+11/+12)"),
    ("Indian/Christmas", "Christmas Island (UTC+7)"),
    ("Indian/Cocos", "Cocos (Keeling) Islands (UTC+6:30)"),
    ("Pacific/Auckland", "Auckland, Wellington, New Zealand (NZST/NZDT)"),
    ("Pacific/Chatham", "Chatham Islands, New Zealand (UTC+12:45/+13:45)"),
)


def _tzdata_text(name: str) -> str:
    return resources.files("tzdata").joinpath("zoneinfo", name).read_text(encoding="utf-8")


@lru_cache(maxsize=1)
def timezone_choices() -> list[tuple[str, str]]:
    """(IANA name, readable label): Australian and New Zealand zones first, then the world's by city."""
    countries = {}
    for line in _tzdata_text("iso3166.tab").splitlines():
        if line and not line.startswith("#"):
            code, country = line.split("\t")[:2]
            countries[code] = country
    first = {name for name, _ in AU_NZ}
    rest = []
    for line in _tzdata_text("zone.tab").splitlines():
        if not line or line.startswith("#"):
            continue
        code, _coordinates, name = line.split("\t")[:3]
        if name in first:
            continue
        city = name.rsplit("/", 1)[-1].replace("_", " ")
        rest.append((name, f"{city}, {countries.get(code, code)}"))
    rest.sort(key=lambda choice: choice[1])
    return [*AU_NZ, *rest, ("UTC", "UTC (Coordinated Universal Time)")]


@lru_cache(maxsize=1)
def _choice_names() -> frozenset[str]:
    return frozenset(name for name, _ in timezone_choices())


def _zone_bytes(name: str) -> bytes | None:
    try:
        return resources.files("tzdata").joinpath("zoneinfo", *name.split("/")).read_bytes()
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError, ValueError):
        return None


@lru_cache(maxsize=1)
def _by_content() -> dict[str, str]:
    """A digest of each listed zone's rules -> its name: a link has the same rules as its target."""
    found: dict[str, str] = {}
    for name, _ in timezone_choices():
        data = _zone_bytes(name)
        if data is not None:
            found.setdefault(hashlib.sha256(data).hexdigest(), name)
    return found


@lru_cache(maxsize=256)
def canonical_zone(name: str) -> str | None:
    """The listed zone ``name`` stands for (itself, or the zone a legacy alias links to); None if unknown."""
    if name in _choice_names():
        return name
    if not name or name.startswith(("/", ".")) or ".." in name:
        return None
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return None
    data = _zone_bytes(name)
    return _by_content().get(hashlib.sha256(data).hexdigest()) if data is not None else None


@lru_cache(maxsize=1)
def alias_map() -> dict[str, str]:
    """Every legacy alias (``Asia/Calcutta``, ``Australia/ACT`` …) -> the listed zone it links to.

    Browsers may report an alias as their zone; ``timezone.js`` uses this to find it in the list.
    """
    listed = _choice_names()
    found = {}
    for name in sorted(zoneinfo.available_timezones()):
        if name not in listed:
            zone = canonical_zone(name)
            if zone is not None:
                found[name] = zone
    return found


class TimeZoneSelect(forms.Select):
    """A select that, when asked to, has ``static/js/timezone.js`` pre-select the browser's own zone.

    The list of ~400 zones is rendered once per (name, value, attributes) and then reused: the choices never change
    while the process runs, so the HTML depends only on what is passed to ``render``; building and writing the options
    took most of the time of the pages that show the list.
    """

    def render(
        self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: BaseRenderer | None = None
    ) -> SafeString:
        if list(self.choices) != timezone_choices():  # given other choices: render them as usual
            return super().render(name, value, attrs, renderer)
        merged = self.build_attrs(self.attrs, attrs)
        try:
            key = (name, "" if value is None else str(value), tuple(merged.items()), self.is_required)
            hash(key)
        except TypeError:  # an attribute value that can't be a key: render as usual
            return super().render(name, value, attrs, renderer)
        return _rendered(key, renderer or get_default_renderer())

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        widget_attrs = context["widget"]["attrs"]
        if "data-detect-zone" in widget_attrs:
            widget_attrs["data-zone-aliases"] = json.dumps(alias_map(), separators=(",", ":"))
        return context

    @property
    def media(self) -> forms.Media:
        if "data-detect-zone" in self.attrs:
            return forms.Media(js=[forms.Script("js/timezone.js", defer=True)])  # type: ignore[list-item]
        return forms.Media()


class TimeZoneField(forms.ChoiceField):
    """The one time-zone field: the readable list, with legacy aliases read as their zones.

    ``detect=True`` pre-selects the browser's zone: only for a person who has not chosen one yet.
    """

    widget = TimeZoneSelect

    def __init__(self, *, detect: bool = False, **kwargs: Any) -> None:
        kwargs.setdefault("choices", timezone_choices)
        kwargs.setdefault("initial", settings.TIME_ZONE)
        kwargs.setdefault("label", "Time zone")
        kwargs.setdefault("error_messages", {"invalid_choice": "Choose a time zone from the list."})
        super().__init__(**kwargs)
        self.detect(detect)

    def detect(self, on: bool = True) -> None:
        """Turn the browser's guess on or off (forms call it once they know whether the person chose)."""
        if on:
            self.widget.attrs["data-detect-zone"] = ""
        else:
            self.widget.attrs.pop("data-detect-zone", None)

    def to_python(self, value: Any) -> str:
        text = str(super().to_python(value))
        return canonical_zone(text) or text

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, str):
            return canonical_zone(value) or value
        return value


@lru_cache(maxsize=512)
def _rendered(key: tuple[str, str, tuple[tuple[str, Any], ...], bool], renderer: BaseRenderer) -> SafeString:
    name, value, attrs, required = key
    widget = TimeZoneSelect(choices=timezone_choices())
    widget.is_required = required
    return forms.Select.render(widget, name, value, dict(attrs), renderer)
