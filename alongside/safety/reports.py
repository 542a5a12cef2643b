"""Conduct reports, the reporter's pages: report the other side of a connection or conversation, and see how
one's reports stand (never the coordinators' notes). The coordinators' queue is in the console."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from alongside.audit.access import AuthedRequest
from alongside.lib.views import attempt, posted
from alongside.safety import services
from alongside.safety.models import Report
from alongside.safety.report_access import Subject, get_own_report, subject_of_connection, subject_of_thread
from alongside.safety.report_forms import ReportForm


def _report_page(request: AuthedRequest, subject: Subject) -> HttpResponse:
    form = ReportForm(posted(request))
    if form.is_bound and form.is_valid():
        made = attempt(
            request,
            lambda: services.make_report(
                reporter=request.user,
                about=subject.about,
                category=form.cleaned_data["category"],
                text=form.cleaned_data["text"],
                connection_id=subject.connection_id,
                thread_id=subject.thread_id,
                request=request,
            ),
            form=form,
        )
        if made is not None:
            messages.success(request, "Thank you. Your report has gone to the coordinators.")
            return redirect("safety_reports:report", pk=made.pk)
    return render(request, "safety/report_new.html", {"form": form, "about": subject.about})


@login_required
@require_http_methods(["GET", "POST"])
def report_connection(request: AuthedRequest, pk: int) -> HttpResponse:
    subject = subject_of_connection(request, pk)
    return _report_page(request, subject)


@login_required
@require_http_methods(["GET", "POST"])
def report_thread(request: AuthedRequest, pk: int) -> HttpResponse:
    subject = subject_of_thread(request, pk)
    return _report_page(request, subject)


@login_required
@require_GET
def my_reports(request: AuthedRequest) -> HttpResponse:
    reports = Report.objects.filter(reporter=request.user).select_related("about__profile")
    return render(request, "safety/report_list.html", {"reports": reports})


@login_required
@require_GET
def report_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    report = get_own_report(request, pk)
    return render(request, "safety/report_detail.html", {"report": report})
