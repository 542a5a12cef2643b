"""What views do the same way: read a form's POST, call one service, turn its refusal into messages."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from django import forms
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


def attempt(
    request: HttpRequest,
    call: Callable[[], T],
    *,
    done: str = "",
    form: forms.BaseForm | None = None,
    field: str | None = None,
) -> T | None:
    """Call one service. Refused (``ValidationError``), it returns None and the reasons are shown: on ``form``
    (at ``field``, or the form as a whole) when given, else as messages. Otherwise ``done`` is shown, when
    given, and the service's result returned.

    None means refused only for a service that returns something; one that returns nothing is called for its
    effect alone, and the view goes on the same way whatever happened.
    """
    try:
        result = call()
    except ValidationError as exc:
        if form is not None:
            form.add_error(field, exc)
        else:
            show_errors(request, exc)
        return None
    if done:
        messages.success(request, done)
    return result
