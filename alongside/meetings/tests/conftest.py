"""Sessions are tested with the connections' own fixtures: the hand-moved clock and the reference topics."""

from alongside.connections.tests.conftest import burnout, clock, english, exams  # noqa: F401
