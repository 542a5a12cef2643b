"""A person's own data: download it (JSON, or a page to read and print) and delete the account.

Mounted under /profile/ (``privacy_urls``). Each is for the signed-in person about themself alone, so the access
check is being signed in; nobody can ask for someone else's.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from alongside.accounts.forms import DeleteAccountForm
from alongside.audit.access import AuthedRequest
from alongside.lib.time import when_text
from alongside.lib.views import attempt
from alongside.safety.privacy import delete_account, export_data, record_export


def _no_store(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "no-store"
    return response


@never_cache
@login_required
@require_GET
def export(request: AuthedRequest) -> HttpResponse:
    """Everything held about the person, as a JSON file."""
    body = json.dumps(export_data(user=request.user), indent=2, ensure_ascii=False)
    record_export(user=request.user, form="json", request=request)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="alongside-my-data.json"'
    return _no_store(response)


def _label(key: str) -> str:
    return key.replace("_", " ").capitalize()


def _moment(value: Any) -> dt.datetime | None:
    """An exported time (ISO 8601 with its offset), to be shown with the ``when`` filter like every time."""
    if isinstance(value, str) and len(value) >= 20 and value[4] == "-" and "T" in value:
        try:
            return dt.datetime.fromisoformat(value)
        except ValueError:
            return None
    return None


def _value(value: Any) -> Any:
    if (moment := _moment(value)) is not None:
        return moment
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, list):
        if value and all(_moment(v) for v in value):  # a window: from one time to another
            return " to ".join(when_text(_moment(v)) for v in value)
        return ", ".join(str(_value(v)) for v in value)
    return str(value)


def _sections(data: dict[str, Any]) -> list[dict[str, Any]]:
    """The export as the page shows it: one section per part, each item a list of (label, value)."""
    sections = []
    for key, value in data.items():
        if key in ("about", "exported_at"):
            continue
        section: dict[str, Any] = {"id": key.replace("_", "-"), "title": _label(key), "text": "", "items": []}
        if isinstance(value, str):
            section["text"] = value
        elif isinstance(value, dict):
            section["items"] = [[(_label(k), _value(v)) for k, v in value.items()]]
        elif isinstance(value, list):
            section["items"] = [[(_label(k), _value(v)) for k, v in row.items()] for row in value]
        elif value is None:
            section["text"] = "Nothing."
        else:
            section["text"] = _value(value)
        sections.append(section)
    return sections


@never_cache
@login_required
@require_GET
def export_page(request: AuthedRequest) -> HttpResponse:
    """The same, as a page to read or print."""
    data = export_data(user=request.user)
    record_export(user=request.user, form="page", request=request)
    response = render(
        request, "safety/export_page.html", {"exported_at": _moment(data["exported_at"]), "sections": _sections(data)}
    )
    return _no_store(response)


@login_required
@require_http_methods(["GET", "POST"])
def delete(request: AuthedRequest) -> HttpResponse:
    form = DeleteAccountForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        user = request.user
        logout(request)  # this session first, while the account still exists; every other one ends with it
        attempt(
            request,
            lambda: delete_account(user=user, request=request),
            done="Your account has been deleted, and you have been signed out everywhere.",
        )
        return redirect("home")
    return render(request, "accounts/delete.html", {"form": form})
