"""The view shapes written once: a POST's data, one service call, its refusal as messages."""

from __future__ import annotations

from django import forms
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.core.exceptions import ValidationError
from django.test import RequestFactory

from alongside.lib.views import attempt, posted


def _request(method: str = "post", data: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
    request = getattr(RequestFactory(), method)("/", data or {})
    request.session = {}
    request._messages = FallbackStorage(request)
    return request


def _refuse() -> int:
    raise ValidationError(["Not now.", "Try later."])


def test_an_empty_post_is_still_data_to_validate_and_a_get_is_none():
    assert posted(_request("post")) is not None and not posted(_request("post"))
    assert posted(_request("get")) is None


def test_a_service_that_works_returns_its_result_and_says_done():
    request = _request()
    assert attempt(request, lambda: 42, done="Saved.") == 42
    assert [str(m) for m in get_messages(request)] == ["Saved."]


def test_a_refused_service_shows_each_reason_and_returns_none():
    request = _request()
    assert attempt(request, _refuse, done="Saved.") is None
    assert [(m.level_tag, str(m)) for m in get_messages(request)] == [("error", "Not now."), ("error", "Try later.")]


def test_with_a_form_the_reasons_go_onto_it_and_no_message_is_shown():
    class NoteForm(forms.Form):
        note = forms.CharField()

    request, form = _request(), NoteForm({"note": "hello"})
    assert form.is_valid()
    assert attempt(request, _refuse, done="Saved.", form=form, field="note") is None
    assert form.errors == {"note": ["Not now.", "Try later."]}
    assert list(get_messages(request)) == []
