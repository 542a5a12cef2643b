"""The phone line's fixtures (the line on, Twilio's REST API stood in for) for the SMS alerts' tests."""

from alongside.phoneline.tests.conftest import line_on, standin

__all__ = ["line_on", "standin"]
