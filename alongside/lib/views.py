"""What views do the same way: read a form's POST, call one service, turn its refusal into messages."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, QueryDict

T = TypeVar("T")


def posted(request: HttpRequest) -> QueryDict | None:
    """The submitted data on POST (even when empty, so an empty form is still validated), else None."""
    return request.POST if request.method == "POST" else None


def show_errors(request: HttpRequest, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


def attempt(request: HttpRequest, call: Callable[[], T], *, done: str = "") -> T | None:
    """Call one service. Refused (``ValidationError``), its messages are shown and None is returned;
    otherwise ``done`` is shown, when given, and the service's result returned.

    The view redirects either way; a service that returns nothing is called for its effect alone.
    """
    try:
        result = call()
    except ValidationError as exc:
        show_errors(request, exc)
        return None
    if done:
        messages.success(request, done)
    return result
