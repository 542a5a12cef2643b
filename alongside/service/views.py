from __future__ import annotations

import logging

from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template import loader

from alongside.directory.models import CareerStage

log = logging.getLogger(__name__)


def home(request: HttpRequest) -> HttpResponse:
    """What peer support here is and is not; for a signed-in person, their own starting points."""
    user = request.user
    if user.is_authenticated and getattr(getattr(user, "profile", None), "completed_at", None) is None:
        return redirect("accounts:setup")
    return render(request, "service/home.html", {"career_stages": CareerStage.choices})


def about(request: HttpRequest) -> HttpResponse:
    return render(request, "service/about.html")


def healthz(request: HttpRequest) -> JsonResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


def _error(request: HttpRequest, template: str, status: int) -> HttpResponse:
    try:
        return render(request, template, status=status)
    except Exception:  # the error page must render even when the database is what failed
        log.exception("error page %s could not use the full layout", status)
        return HttpResponse(loader.get_template("bare_error.html").render({"status": status}), status=status)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error(request, "400.html", 400)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error(request, "403.html", 403)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error(request, "404.html", 404)


def server_error(request: HttpRequest) -> HttpResponse:
    return _error(request, "500.html", 500)
