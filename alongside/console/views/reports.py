"""Conduct reports: the coordinators' queue (open first), taking one, and closing it with an outcome note."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_GET, require_POST

from alongside.audit.access import AuthedRequest, coordinator_required, deny_404
from alongside.console.views import page, paginate
from alongside.lib.views import attempt, posted
from alongside.safety import services
from alongside.safety.models import Report, ReportStatus
from alongside.safety.report_forms import CloseReportForm
from alongside.safety.selectors import report_queue


def _report(request: AuthedRequest, pk: int) -> Report:
    found = Report.objects.select_related("reporter__profile", "about__profile", "handled_by__profile").filter(pk=pk)
    report = found.first()
    if report is None:
        raise deny_404(request, action="console.report.view", target_type="safety.report", target_id=pk)
    return report


@coordinator_required
@require_GET
def report_list(request: AuthedRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    if status not in ReportStatus.values:
        status = ""
    return page(
        request,
        "console/reports/list.html",
        {"page": paginate(request, report_queue(status=status)), "status": status, "statuses": ReportStatus.choices},
        section="reports",
    )


@coordinator_required
@require_GET
def report_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    report = _report(request, pk)
    return page(
        request, "console/reports/detail.html", {"report": report, "form": CloseReportForm()}, section="reports"
    )


@coordinator_required
@require_POST
def report_take(request: AuthedRequest, pk: int) -> HttpResponse:
    report = _report(request, pk)
    attempt(
        request,
        lambda: services.take_report(report=report, coordinator=request.user, request=request),
        done="You have taken this report. The reporter sees that a coordinator is looking at it.",
    )
    return redirect("console:report", pk=report.pk)


@coordinator_required
@require_POST
def report_close(request: AuthedRequest, pk: int) -> HttpResponse:
    report = _report(request, pk)
    form = CloseReportForm(posted(request))
    if form.is_valid():
        closed = attempt(
            request,
            lambda: services.close_report(
                report=report, coordinator=request.user, outcome_note=form.cleaned_data["outcome_note"], request=request
            ),
            form=form,
        )
        if closed is not None:
            messages.success(request, "Report closed. The reporter sees that it is closed, not your note.")
            return redirect("console:reports")
    return page(request, "console/reports/detail.html", {"report": report, "form": form}, section="reports")
