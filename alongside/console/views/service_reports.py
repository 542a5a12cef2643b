"""The service's reports over a period, with charts beside their tables, and the same as CSV."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import HttpResponse

from alongside.audit.access import AuthedRequest, coordinator_required
from alongside.audit.services import record
from alongside.console.charts import bar_chart
from alongside.console.report_csv import report_csv
from alongside.console.service_reports import Period, build_report, default_period, parse_period
from alongside.console.views import page

SECTION = "service_reports"


def _period(request: AuthedRequest) -> tuple[Period | None, str]:
    start, end = request.GET.get("start", ""), request.GET.get("end", "")
    if not start and not end:
        return default_period(), ""
    try:
        return parse_period(start, end), ""
    except ValidationError as exc:
        return None, " ".join(exc.messages)


@coordinator_required
def service_report(request: AuthedRequest) -> HttpResponse:
    period, problem = _period(request)
    report = build_report(period) if period is not None else None
    return page(
        request,
        "console/service_reports.html",
        {
            "period": period,
            "problem": problem,
            "report": report,
            "charts": [(table, bar_chart(table)) for table in report.tables] if report else [],
            "start": request.GET.get("start", period.start.isoformat() if period else ""),
            "end": request.GET.get("end", period.end.isoformat() if period else ""),
        },
        section=SECTION,
        status=400 if problem else 200,
    )


@coordinator_required
def service_report_csv(request: AuthedRequest) -> HttpResponse:
    period, problem = _period(request)
    if period is None:
        return HttpResponse(problem, status=400, content_type="text/plain; charset=utf-8")
    response = HttpResponse(report_csv(build_report(period)), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="alongside-report-{period.start.isoformat()}-{period.end.isoformat()}.csv"'
    )
    record("console.report.exported", actor=request.user, request=request, details={"days": period.days})
    return response
