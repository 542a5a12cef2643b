"""Applications to become a supporter, as the coordinators take them through their steps, and training: the
modules, and completions waiting to be confirmed."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Count, Q
from django.http import HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_http_methods, require_POST

from alongside.audit.access import AuthedRequest, coordinator_required
from alongside.audit.services import record_identity_access
from alongside.console.views import page
from alongside.lib.time import now
from alongside.lib.views import attempt, posted
from alongside.matching.weekly import describe_slots, parse_windows, weekly_slots
from alongside.supporters import applications, training
from alongside.supporters.access import get_application, get_training_module, get_training_record
from alongside.supporters.forms import TrainingModuleForm
from alongside.supporters.models import (
    CLOSED_STATUSES,
    NEXT_STATUSES,
    Application,
    ApplicationStatus,
    TrainingModule,
)

SECTION = "applications"
TRAINING_SECTION = "training"


@coordinator_required
def application_list(request: AuthedRequest) -> HttpResponse:
    """Open applications by step, the longest waiting first within each; closed ones below."""
    rows = (
        Application.objects.select_related("user__profile")
        .annotate(answered_count=Count("referees", filter=Q(referees__submitted_at__isnull=False)))
        .order_by("status_changed_at", "id")
    )
    open_rows = [a for a in rows if a.status not in CLOSED_STATUSES and a.status != ApplicationStatus.ACTIVE]
    return page(
        request,
        "console/applications/list.html",
        {"open": open_rows, "at": now()},
        section=SECTION,
    )


@coordinator_required
def application_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    """One application: who, their registration number (to look up on the register), why, the referees and their
    answers, and the steps that may come next. Opening it is a look at identifying data: it is in the person's
    access log."""
    application = get_application(request, pk)
    record_identity_access(
        "application", actor=request.user, subject=application.user, request=request, target=application
    )
    zone = getattr(getattr(application.user, "profile", None), "time_zone", "UTC")
    times = describe_slots(weekly_slots(parse_windows(application.availability), zone), zone)
    return page(
        request,
        "console/applications/detail.html",
        {
            "application": application,
            "referees": list(application.referees.all()),
            "next_steps": [ApplicationStatus(s) for s in NEXT_STATUSES.get(application.status, ())],
            "what_next": applications.WHAT_NEXT.get(application.status, ""),
            "times": times,
        },
        section=SECTION,
    )


@coordinator_required
@require_POST
def application_checked(request: AuthedRequest, pk: int) -> HttpResponse:
    application = get_application(request, pk)
    applications.record_registration_checked(application=application, by=request.user, request=request)
    messages.success(request, "Recorded: you found the number on the public register.")
    return redirect("console:application", pk=application.pk)


@coordinator_required
@require_POST
def application_referees(request: AuthedRequest, pk: int) -> HttpResponse:
    application = get_application(request, pk)
    sent = applications.send_referee_forms(application=application, request=request)
    if sent:
        messages.success(request, f"A private link went to {len(sent)} referee{'s' if len(sent) != 1 else ''}.")
    else:
        messages.info(request, "Both referees have answered; nothing was sent.")
    return redirect("console:application", pk=application.pk)


@coordinator_required
@require_POST
def application_move(request: AuthedRequest, pk: int) -> HttpResponse:
    application = get_application(request, pk)
    to = request.POST.get("to", "")
    if to not in ApplicationStatus.values:
        messages.error(request, "Choose a step from the list.")
        return redirect("console:application", pk=application.pk)
    moved = attempt(
        request,
        lambda: applications.move_application(application=application, to=to, by=request.user, request=request),
    )
    if moved is not None:
        messages.success(request, f"Moved to “{ApplicationStatus(to).label}”. The applicant has been told.")
    return redirect("console:application", pk=application.pk)


# --- training ---------------------------------------------------------------------------------------------------


@coordinator_required
@require_http_methods(["GET", "POST"])
def training_page(request: AuthedRequest) -> HttpResponse:
    """The modules (add one here) and the completions waiting for a coordinator to confirm them."""
    form = TrainingModuleForm(posted(request))
    if request.method == "POST" and form.is_valid():
        made = attempt(
            request, lambda: training.save_module(module=form.instance, by=request.user, request=request), form=form
        )
        if made is not None:
            messages.success(request, "Module added.")
            return redirect("console:training")
    return page(
        request,
        "console/training/index.html",
        {
            "modules": TrainingModule.objects.all(),
            "waiting": training.waiting_records(),
            "form": form,
        },
        section=TRAINING_SECTION,
    )


@coordinator_required
@require_http_methods(["GET", "POST"])
def training_module(request: AuthedRequest, pk: int) -> HttpResponse:
    module = get_training_module(request, pk)
    form = TrainingModuleForm(posted(request), instance=module)
    if request.method == "POST":
        if request.POST.get("retire") == "1":
            training.retire_module(module=module, by=request.user, request=request)
            messages.success(request, "Module retired: it is no longer asked of anyone.")
            return redirect("console:training")
        if form.is_valid():
            saved = attempt(
                request, lambda: training.save_module(module=form.instance, by=request.user, request=request), form=form
            )
            if saved is not None:
                messages.success(request, "Module saved.")
                return redirect("console:training")
    return page(request, "console/training/module.html", {"module": module, "form": form}, section=TRAINING_SECTION)


@coordinator_required
@require_POST
def training_confirm(request: AuthedRequest, pk: int) -> HttpResponse:
    row = get_training_record(request, pk)
    done = attempt(request, lambda: training.confirm_completion(record_row=row, by=request.user, request=request))
    if done is not None:
        messages.success(request, "Confirmed. The supporter has been told.")
    return redirect("console:training")
