"""The group agreement every member accepts before joining a group, and its version.

The words are shown on every group page and before joining. When they change, ``AGREEMENT_VERSION`` (kept in
``models`` so the foundation's services can stamp it) goes up by one.
"""

from __future__ import annotations

from typing import NamedTuple

from alongside.groups.models import AGREEMENT_VERSION

__all__ = ["AGREEMENT", "AGREEMENT_VERSION", "Point"]


class Point(NamedTuple):
    heading: str
    text: str


AGREEMENT: tuple[Point, ...] = (
    Point(
        "What is shared here stays here",
        "What people say in the group is theirs. Don't repeat it outside, and don't name anyone who was here. "
        "You can talk about what you learned, never about who said it.",
    ),
    Point(
        "Confidential, with one exception",
        "If a facilitator thinks someone is at risk of serious harm, they may raise a concern with the "
        "coordinators so that person gets help. They will tell the person first whenever they safely can.",
    ),
    Point(
        "Respect",
        "Listen without judging. Everyone here is a doctor having a hard time in their own way. "
        "Disagree kindly, and let others finish.",
    ),
    Point(
        "No advice unless asked",
        "We are peers, not each other's supervisors or therapists. Share what helped you if someone asks; "
        "otherwise listen.",
    ),
    Point(
        "Take part as you like",
        "You can listen without speaking, step away, or leave the group at any time. Nobody has to explain.",
    ),
)
