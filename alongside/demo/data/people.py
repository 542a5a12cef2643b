"""Raw material for the made-up cast: pseudonyms, bio fragments and time zones. No real people."""

from __future__ import annotations

NAME_WORDS: tuple[str, ...] = (
    "Quiet", "Steady", "Kind", "Bright", "Gentle", "Patient", "Calm", "Warm", "Brave", "Clear",
    "Early", "Evening", "Coastal", "Northern", "Southern", "Little", "Tall", "Silver", "Golden", "Green",
)  # fmt: skip

NAME_NATURE: tuple[str, ...] = (
    "Wren", "Heron", "Banksia", "Wattle", "Ibis", "Magpie", "Robin", "Lorikeet", "Bottlebrush", "Spinifex",
    "Grevillea", "Currawong", "Pelican", "Finch", "Plover", "Egret", "Galah", "Boronia", "Waratah", "Kookaburra",
    "Bellbird", "Paperbark", "Rosella", "Cockatoo", "Platypus", "Echidna", "Tern", "Lyrebird", "Emu", "Gum",
)  # fmt: skip

# Opening sentence of a supporter's bio, by career stage; {specialty} is filled in when there is one.
BIO_OPENERS: dict[str, tuple[str, ...]] = {
    "student": ("Final-year medical student.", "Medical student on clinical placements."),
    "intern": ("Second-year doctor, still finding my feet.", "PGY2 who remembers intern year very clearly."),
    "resident": ("Hospital medical officer between training programs.", "Resident doing rotations while I decide."),
    "registrar": ("{specialty} registrar, part-way through training.", "Senior {specialty} registrar."),
    "consultant": ("Consultant in {specialty} for more than ten years.", "{specialty} specialist, a few years out."),
    "gp": ("GP in a busy suburban practice.", "Rural GP who also works in the local hospital."),
    "other": ("Doctor working in medical education.", "Doctor who moved into health service management."),
}

# A sentence about lived experience, by topic slug.
BIO_EXPERIENCE: dict[str, str] = {
    "workplace-aggression": "I have been on the receiving end of aggression at work and know how long it stays with you.",
    "workload": "I have worked on badly understaffed rosters and know how that wears you down.",
    "training-exams": "I failed a college exam before passing it, and know how lonely study can be.",
    "adverse-event": "I have lived through an adverse event and the months of review that followed.",
    "incident-debrief": "I have been part of more codes than I can count, and some of them stay with me.",
    "moral-distress": "I have been asked to do things that sat badly with me, and had to live with the choice.",
    "bullying": "I was bullied as a junior doctor and it took me years to talk about it.",
    "burnout": "I burnt out once and came back more slowly than I expected.",
    "regulator-legal": "I have been through a complaint and a notification, and know the waiting is the worst part.",
    "career": "I changed direction mid-training and have no regrets.",
    "img": "I trained overseas and remember how strange the Australian system felt at first.",
    "personal-family": "I have juggled medicine with caring for family, not always well.",
    "isolation": "I have worked in a small town far from friends and family.",
}

# Students and interns speak from a shorter career, and take on only the topics they can speak to.
BIO_EXPERIENCE_JUNIOR: dict[str, str] = {
    "training-exams": "I know the pressure of exams and OSCEs, and what it is like to fall behind.",
    "incident-debrief": "The first code I was part of stayed with me for weeks.",
    "bullying": "I was belittled on a placement and it took me a long time to talk about it.",
    "burnout": "I hit a wall last year and had to learn to slow down.",
    "career": "I nearly left medicine, and talked it through before deciding to stay.",
    "img": "I came to Australia from overseas and know how strange a new system can feel.",
    "personal-family": "I have juggled medicine with caring for family.",
    "isolation": "I did a long rural placement far from everyone I knew.",
    "moral-distress": "I have seen things on the wards that sat badly with me.",
    "workload": "I have worked intern rosters that left no room for anything else.",
}
JUNIOR_TOPICS: dict[str, frozenset[str]] = {
    "student": frozenset(BIO_EXPERIENCE_JUNIOR) - {"workload"},
    "intern": frozenset(BIO_EXPERIENCE_JUNIOR),
}

BIO_CLOSERS: tuple[str, ...] = (
    "I listen more than I talk.",
    "Happy to talk about anything, big or small.",
    "I won't give advice unless you ask for it.",
    "No judgement here.",
    "Evenings suit me best.",
    "I like a walk-and-talk on the phone.",
    "Parent of two, so evenings are busy but weekends are good.",
    "Outside work I garden badly and cook well.",
)

GENDERS: tuple[tuple[str, int], ...] = (("", 4), ("woman", 5), ("man", 4), ("non-binary", 1))

# Most of the cast is in Victoria; a few work interstate or overseas.
OTHER_TIME_ZONES: tuple[str, ...] = (
    "Australia/Sydney",
    "Australia/Brisbane",
    "Australia/Adelaide",
    "Australia/Perth",
    "Australia/Hobart",
    "Australia/Darwin",
    "Pacific/Auckland",
    "Europe/London",
)

# Weekly availability patterns: (days, start, end); day 0 is Monday, in the supporter's own time zone.
AVAILABILITY_PATTERNS: tuple[tuple[tuple[int, ...], str, str], ...] = (
    ((0, 2), "18:00", "21:00"),
    ((1, 3), "19:00", "21:30"),
    ((0, 1, 2, 3, 4), "12:30", "13:30"),
    ((5,), "09:00", "12:00"),
    ((6,), "14:00", "17:00"),
    ((2, 4), "20:00", "22:00"),
    ((1,), "07:00", "08:00"),
    ((3,), "17:30", "20:00"),
)
