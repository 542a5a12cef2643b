from __future__ import annotations

import logging
from collections.abc import Mapping

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template import loader

from alongside.audit.services import denied

log = logging.getLogger(__name__)


def about(request: HttpRequest) -> HttpResponse:
    return render(request, "service/about.html")


def healthz(request: HttpRequest) -> JsonResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


def _error(
    request: HttpRequest, template: str, status: int, context: Mapping[str, object] | None = None
) -> HttpResponse:
    try:
        return render(request, template, context, status=status)
    except Exception:  # the error page must render even when the database is what failed
        log.exception("error page %s could not use the full layout", status)
        return HttpResponse(loader.get_template("bare_error.html").render({"status": status}), status=status)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if isinstance(exception, (TooManyFieldsSent, TooManyFilesSent, RequestDataTooBig)):
        # Django has already logged one line for it (without the traceback: see alongside.service.logs).
        limits = {
            "max_fields": settings.DATA_UPLOAD_MAX_NUMBER_FIELDS,
            "max_files": settings.DATA_UPLOAD_MAX_NUMBER_FILES,
        }
        return _error(request, "service/too_much.html", 400, limits)
    return _error(request, "400.html", 400)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error(request, "403.html", 403)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A form or socket-less POST without a valid CSRF token (another site's form, an expired page): the 403 page,
    and a denial in the audit trail like every other refusal. Django's ``reason`` names only the check that failed."""
    denied("access.csrf", request=request)
    return _error(request, "403.html", 403)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error(request, "404.html", 404)


def server_error(request: HttpRequest) -> HttpResponse:
    return _error(request, "500.html", 500)
