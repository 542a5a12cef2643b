"""Keep credentials that travel in URLs out of every log line: the route is logged, not the token.

Some URLs are their own credential: the private calendar feed, allauth's password-reset and
email-confirmation links. Uvicorn's access log, Django's request log ("Not Found: /path") and
our own loggers would otherwise write them to the server log. ``install()``, called by the
settings in every process, sets a log record factory that rewrites each record's message,
arguments and traceback as the record is made, before any handler sees it.

Query strings are logged with their parameter names only: a search (``?q=``) may hold a name,
an email address or a topic a person would not want in a log.
"""

from __future__ import annotations

import logging
import re
from typing import Any

# Everything after these prefixes, up to the query string or the end of the word, is a credential.
# tests/test_log_secrets.py fails when a URL pattern with a credential-like argument has no rule here.
SECRET_PREFIXES = (
    "/accounts/password/reset/key/",  # allauth: <uidb36>-<key>/
    "/accounts/confirm-email/",  # allauth: <key>/
    "/calendar/",  # the private feed: <token>.ics
    "/call-back/",  # a caller's private link to their call-back: <token>/
    "/referee/",  # a referee's private form: <token>/
    "/debriefs/join/",  # a debrief's invitation link: <token>/
)
KEPT_QUERY_VALUES = frozenset({"page"})
"""Query parameters whose values are logged as they are: harmless and useful when reading a log."""

_END = r"[^\s\"'?#]+"
_PATHS = re.compile("(" + "|".join(re.escape(prefix) for prefix in SECRET_PREFIXES) + ")" + _END)
_QUERY = re.compile(r"([?&])([^=&\s\"'#]+)=([^&\s\"'#]*)")


def _hide_value(match: re.Match[str]) -> str:
    sep, name, value = match.groups()
    return f"{sep}{name}={value if name in KEPT_QUERY_VALUES else '<redacted>'}"


def redact(text: str) -> str:
    """``text`` with every credential-bearing path cut back to its route and every query value hidden."""
    if "/" not in text and "?" not in text:
        return text
    return _QUERY.sub(_hide_value, _PATHS.sub(r"\1<redacted>", text))


def _redact_arg(arg: object) -> object:
    return redact(arg) if isinstance(arg, str) else arg


def redact_record(record: logging.LogRecord) -> logging.LogRecord:
    """Rewrite a record in place: its message, its arguments (keeping their shape) and its traceback."""
    if isinstance(record.msg, str):
        record.msg = redact(record.msg)
    if isinstance(record.args, tuple):
        record.args = tuple(_redact_arg(arg) for arg in record.args)
    elif isinstance(record.args, dict):
        record.args = {key: _redact_arg(value) for key, value in record.args.items()}
    if record.exc_info and not record.exc_text:
        # Format the traceback now (what a formatter would do later) so that it is redacted too.
        record.exc_text = logging.Formatter().formatException(record.exc_info)
    if record.exc_text:
        record.exc_text = redact(record.exc_text)
    return record


def install() -> None:
    """Redact every log record as it is made, whichever logger makes it and whichever handler writes it.

    A record factory rather than handler filters: uvicorn configures its own handlers (in each worker
    process), Django adds its own in DEBUG, and a handler added later by anyone would miss a filter.
    """
    current = logging.getLogRecordFactory()
    if getattr(current, "redacts_secrets", False):
        return

    def make_record(*args: Any, **kwargs: Any) -> logging.LogRecord:
        return redact_record(current(*args, **kwargs))

    make_record.redacts_secrets = True  # type: ignore[attr-defined]
    logging.setLogRecordFactory(make_record)
