"""Reads of the resource library."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django.db.models import Case, Q, QuerySet, Value, When

from alongside.directory.models import Region
from alongside.library.models import Category, Resource


@dataclass(frozen=True)
class CrisisLine:
    """A crisis resource as every page's crisis strip shows it."""

    title: str
    phone: str
    url: str
    description: str


def crisis_resources(region: str) -> QuerySet[Resource]:
    """The crisis lines the strip shows for ``region`` (and Australia-wide ones), in the strip's order."""
    return Resource.objects.filter(is_crisis=True, region__in={region, Region.NATIONAL}).order_by("position", "title")


def crisis_lines_for_region(region: str) -> list[CrisisLine]:
    return [
        CrisisLine(title=r.title, phone=r.phone, url=r.url, description=r.description) for r in crisis_resources(region)
    ]


MAX_WORDS = 8
STOP_WORDS = frozenset(
    {
        *("a", "an", "and", "are", "at", "be", "by", "can", "for", "from", "how", "i", "in", "is", "it", "me", "my"),
        *("of", "on", "or", "our", "the", "to", "what", "when", "where", "who", "with", "you", "your"),
    }
)
CATEGORY_WORDS: dict[str, str] = {
    Category.CRISIS: "urgent emergency crisis suicide suicidal help now",
    Category.DOCTORS_HEALTH: "health wellbeing burnout stress mental substance alcohol drugs gp doctor",
    Category.PEER_SUPPORT: "peer colleague talk burnout isolation lonely support",
    Category.COUNSELLING: "counselling counsellor psychology psychologist therapy anxiety depression burnout grief trauma",
    Category.TRAINING: "training trainee registrar resident intern college exam exams assessment study stress",
    Category.LEGAL: "complaint notification ahpra regulator medico-legal legal lawyer coroner inquest",
    Category.WORKPLACE: "workplace bullying harassment violence aggression rights safety roster fatigue",
    Category.READING: "reading self-care wellbeing stigma",
}
"""What each category helps with, beside its label, so a search for a need finds the kind of service that meets it."""


def search_words(query: str) -> list[str]:
    """The words of a search worth matching: lower case, without punctuation, stop words or a plural 's'."""
    words: list[str] = []
    for raw in query.lower().split():
        word = raw.strip(".,;:!?\"'()[]{}")
        if len(word) < 2 or word in STOP_WORDS:
            continue
        word = _singular(word)
        if word not in words:
            words.append(word)
    return words[:MAX_WORDS]


def _singular(word: str) -> str:
    """'exams' → 'exam', 'complaints' → 'complaint', 'matches' → 'match', 'injuries' → 'injury' (so both match)."""
    if len(word) <= 4 or not word.endswith("s") or word.endswith(("ss", "us", "is")):
        return word
    if word.endswith("ies"):
        return word[:-3] + "y"
    if word.endswith(("sses", "xes", "ches", "shes", "zes")):
        return word[:-2]
    return word[:-1]


def _categories_for(word: str) -> list[str]:
    """Categories whose label or helped-with words begin with the word ('exam' finds 'exams')."""
    found = []
    for value, label in Category.choices:
        words = re.findall(r"[a-z][a-z'-]*", f"{label} {CATEGORY_WORDS.get(value, '')}".lower())
        if any(w == word or (len(word) >= 3 and w.startswith(word)) for w in words):
            found.append(value)
    return found


def for_everyone(qs: QuerySet[Resource]) -> QuerySet[Resource]:
    """What visitors without an account may read: public resources and every crisis line."""
    return qs.filter(Q(is_public=True) | Q(is_crisis=True))


def visible_resources(*, signed_in: bool) -> QuerySet[Resource]:
    qs = Resource.objects.all()
    return qs if signed_in else for_everyone(qs)


def search_resources(
    *,
    query: str = "",
    category: str = "",
    region: str = "",
    exact_region: bool = False,
    crisis_only: bool = False,
    referral_only: bool = False,
    signed_in: bool = True,
) -> QuerySet[Resource]:
    """Resources matching any word of the query in their title, description or category, best first.

    A member's region takes in the Australia-wide resources too; the coordinators' console asks for
    ``exact_region`` (that region alone) and may ask for crisis lines only.

    More words matched rank higher; among those, matches in the title, then in the description, come before
    matches only by category. Without a query, the library in its own order.
    """
    qs = visible_resources(signed_in=signed_in)
    if category:
        qs = qs.filter(category=category)
    if region:
        qs = qs.filter(region=region) if exact_region else qs.filter(region__in={region, Region.NATIONAL})
    if crisis_only:
        qs = qs.filter(is_crisis=True)
    if referral_only:
        qs = qs.filter(is_referral=True)
    words = search_words(query)
    if not words:
        return qs.order_by("category", "position", "title")
    matched, in_title, in_text = [], [], []
    for word in words:
        title_q, text_q = Q(title__icontains=word), Q(description__icontains=word)
        matched.append(Case(When(title_q | text_q | Q(category__in=_categories_for(word)), then=1), default=0))
        in_title.append(Case(When(title_q, then=1), default=0))
        in_text.append(Case(When(text_q, then=1), default=0))
    return (
        qs.annotate(words_matched=_total(matched), title_hits=_total(in_title), text_hits=_total(in_text))
        .filter(words_matched__gt=0)
        .order_by("-words_matched", "-title_hits", "-text_hits", "position", "title")
    )


def _total(parts: list[Case]) -> Any:
    total: Any = Value(0)
    for part in parts:
        total = total + part
    return total


def referral_resources() -> QuerySet[Resource]:
    """The referral services a supporter can send as a card, in the library's own order."""
    return Resource.objects.filter(is_referral=True).order_by("position", "title")
