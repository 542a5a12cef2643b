"""Logging filters for the service (kept free of models: logging is configured before apps load)."""

from __future__ import annotations

import logging

REFUSED_REQUEST_LOGGERS = (
    "django.security.TooManyFieldsSent",
    "django.security.TooManyFilesSent",
    "django.security.RequestDataTooBig",
)
"""Django logs a request refused for its size at these names, as an error with the traceback."""


class RefusedRequestFilter(logging.Filter):
    """A request refused for its size is the sender's doing, not a fault: one warning line, no traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.exc_info = None
        record.exc_text = None
        record.levelno, record.levelname = logging.WARNING, logging.getLevelName(logging.WARNING)
        return True
