"""The demo's groups: three standing peer circles, a supporters' supervision group and an upcoming drop-in, each with
a few neutral messages. Who is in each is picked by the loader from the cast (the demo member is in the interns'
circle). No incident debrief: debriefs start from a real event, so the demo leaves them to be started by hand."""

from __future__ import annotations

from dataclasses import dataclass

from alongside.groups.models import GroupKind, JoinPolicy, Purpose


@dataclass(frozen=True)
class GroupSeed:
    kind: str
    name: str
    purpose: str
    description: str
    join_policy: str
    schedule: str
    members: int
    """How many of the cast join (besides the demo member, where they belong)."""
    messages: tuple[str, ...]
    """Said in turn by the facilitator and the members, the first by the facilitator."""
    capacity: int = 12


CIRCLES: tuple[GroupSeed, ...] = (
    GroupSeed(
        kind=GroupKind.CIRCLE,
        name="International medical graduates",
        purpose=Purpose.INTERNATIONAL,
        description=(
            "For doctors who trained overseas and now work here: settling in, supervision, exams and being far "
            "from family. Come as you are."
        ),
        join_policy=JoinPolicy.APPROVAL,
        schedule="Every second Tuesday, 7 pm",
        members=5,
        messages=(
            "Welcome, everyone. Next Tuesday we will talk about the first months in a new system. Bring a cup of tea.",
            "Thanks for having me. Still getting used to the handover style here.",
            "Same. It took me a while to feel I could ask for help without it looking bad.",
        ),
    ),
    GroupSeed(
        kind=GroupKind.CIRCLE,
        name="Interns 2027",
        purpose=Purpose.INTERNS,
        description="This year's interns: a place to check in about rotations, nights and everything in between.",
        join_policy=JoinPolicy.OPEN,
        schedule="Fortnightly, Thursday 8 pm",
        members=5,
        messages=(
            "Hi all, and welcome to the circle. How did the first week of the new rotation go?",
            "Busy, but the registrar was kind. Nights start on Monday.",
            "Good luck with the nights. Sleep before the first one if you can.",
        ),
    ),
    GroupSeed(
        kind=GroupKind.CIRCLE,
        name="Fellowship exams",
        purpose=Purpose.EXAMS,
        description="For doctors sitting fellowship or college exams: study, stress and life around them.",
        join_policy=JoinPolicy.APPROVAL,
        schedule="Monthly, first Sunday 4 pm",
        members=4,
        messages=(
            "Welcome. This month: how are you pacing the study around rosters?",
            "Trying two evenings a week and a longer Sunday. Some weeks it works.",
        ),
    ),
)

SUPERVISION = GroupSeed(
    kind=GroupKind.SUPERVISION,
    name="Supporters' supervision",
    purpose="",
    description="Supporters debrief the supporting itself: what went well, what was hard, what we would change.",
    join_policy=JoinPolicy.APPROVAL,
    schedule="Monthly, second Wednesday 7.30 pm",
    members=4,
    messages=(
        "Welcome to supervision. Anything from the last month you would like to bring?",
        "A quiet month for me. Happy to listen this time.",
    ),
)

DROP_IN = GroupSeed(
    kind=GroupKind.DROP_IN,
    name="Evening drop-in",
    purpose=Purpose.ANYONE,
    description="An open hour for any doctor. Drop in, say as much or as little as you like, and leave any time.",
    join_policy=JoinPolicy.OPEN,
    schedule="",
    members=2,
    messages=("The drop-in opens soon. Everyone is welcome; there is no need to prepare anything.",),
    capacity=20,
)
DROP_IN_DAYS_AHEAD = 2
DROP_IN_HOUR = 19
"""An upcoming drop-in runs at 7 pm Melbourne time this many days ahead, for an hour."""
