"""Becoming a supporter, the applicant's side: apply, see where the application stands and what happens next,
withdraw; a referee's private form; and a supporter's own training."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from alongside.accounts.models import User
from alongside.audit.access import AuthedRequest, require_role
from alongside.audit.services import denied
from alongside.lib.time import now
from alongside.lib.views import attempt, posted
from alongside.supporters import applications, training
from alongside.supporters.applications import WHAT_NEXT, RefereeIn
from alongside.supporters.forms import ApplicationForm, CompletionForm, ReferenceForm, WindowFormSet
from alongside.supporters.models import CLOSED_STATUSES, Application, ApplicationStatus, TrainingModule, TrainingRecord

REFEREE_ACTION = "supporters.referee.open"


def in_training(user: User) -> bool:
    """An applicant at the training step records their modules before they are a supporter."""
    return Application.objects.filter(user=user, status=ApplicationStatus.TRAINING).exists()


def _current_application(user: User) -> Application | None:
    return Application.objects.filter(user=user).exclude(status__in=CLOSED_STATUSES).first()


@login_required
@require_http_methods(["GET", "POST"])
def apply(request: AuthedRequest) -> HttpResponse:
    """One page: the form when there is no application in progress, otherwise where it stands."""
    current = _current_application(request.user)
    if current is not None or request.user.is_supporter:
        latest = current or Application.objects.filter(user=request.user).first()
        return render(
            request,
            "supporters/application_status.html",
            {
                "application": latest,
                "what_next": WHAT_NEXT.get(latest.status, "") if latest else "",
                "statuses": [(s.value, s.label) for s in ApplicationStatus][:5],
                "can_withdraw": latest is not None
                and latest.status not in (*CLOSED_STATUSES, ApplicationStatus.ACTIVE, ApplicationStatus.PAUSED),
            },
        )
    form = ApplicationForm(posted(request))
    windows = WindowFormSet(posted(request), prefix="windows")
    if request.method == "POST" and form.is_valid() and windows.is_valid():
        data = form.cleaned_data
        made = attempt(
            request,
            lambda: applications.submit_application(
                user=request.user,
                full_name=data["full_name"],
                registration_number=data["registration_number"],
                career_stage=data["career_stage"],
                motivation=data["motivation"],
                specialty_id=data["specialty"].pk if data["specialty"] else None,
                hours_per_month=data["hours_per_month"],
                availability=windows.windows(),  # type: ignore[attr-defined]
                referees=[
                    RefereeIn(data[f"referee{n}_name"], data[f"referee{n}_email"], data[f"referee{n}_relationship"])
                    for n in (1, 2)
                ],
                request=request,
            ),
            form=form,
        )
        if made is not None:
            messages.success(request, "Thank you. Your application is with the coordinators.")
            return redirect("supporters:apply")
    previous = Application.objects.filter(user=request.user).first()
    return render(request, "supporters/apply.html", {"form": form, "windows": windows, "previous": previous})


@login_required
@require_POST
def withdraw(request: AuthedRequest) -> HttpResponse:
    current = _current_application(request.user)
    if current is None:
        messages.info(request, "You have no application in progress.")
        return redirect("supporters:apply")
    if (
        attempt(
            request, lambda: applications.withdraw_application(application=current, user=request.user, request=request)
        )
        is not False
    ):
        messages.success(request, "Your application is withdrawn.")
    return redirect("supporters:apply")


@require_http_methods(["GET", "POST"])
def reference(request: HttpRequest, token: str) -> HttpResponse:
    """A referee's private form. Unknown links are a 404 (audited); an expired or answered one says so plainly."""
    referee = applications.referee_for_token(token)
    if referee is None:
        denied(REFEREE_ACTION, request=request, target_type="supporters.referee")
        raise Http404()
    if referee.submitted_at is not None:
        return render(request, "supporters/reference_done.html", {"again": request.method == "GET"})
    if referee.expires_at <= now():
        return render(request, "supporters/reference_expired.html", status=410)
    if referee.opened_at is None:
        type(referee).objects.filter(pk=referee.pk, opened_at__isnull=True).update(opened_at=now())
    form = ReferenceForm(posted(request))
    if request.method == "POST" and form.is_valid():
        done = attempt(
            request,
            lambda: applications.submit_reference(
                referee=referee, recommends=form.cleaned_data["recommends"], answer=form.cleaned_data["answer"]
            ),
            form=form,
        )
        if done is not None:
            return render(request, "supporters/reference_done.html", {"again": False})
    return render(
        request, "supporters/reference.html", {"form": form, "referee": referee, "applicant": referee.application}
    )


@login_required
@require_http_methods(["GET", "POST"])
def my_training(request: AuthedRequest) -> HttpResponse:
    """The supporter's modules (or an applicant's, at the training step): what is required, what is current, what
    expires soon, and recording a completion."""
    if not (request.user.is_supporter or in_training(request.user)):
        require_role(request, "supporter")
    today = now().date()
    if request.method == "POST":
        module = TrainingModule.objects.filter(pk=request.POST.get("module", "0") or 0, retired_at__isnull=True).first()
        form = CompletionForm(request.POST)
        if module is None:
            messages.error(request, "Choose a module from the list.")
        elif form.is_valid():
            made = attempt(
                request,
                lambda: training.record_completion(
                    user=request.user, module=module, completed_on=form.cleaned_data["completed_on"], request=request
                ),
                form=form,
            )
            if made is not None:
                messages.success(request, "Recorded. A coordinator will confirm it.")
                return redirect("supporters:training")
        else:
            for errors in form.errors.values():
                for error in errors:
                    messages.error(request, str(error))
    records = {r.module_id: r for r in TrainingRecord.objects.filter(user=request.user)}
    rows = [
        training.row_for(module, records.get(module.pk), today=today)
        for module in TrainingModule.objects.filter(retired_at__isnull=True)
    ]
    profile = getattr(request.user, "supporter", None)
    return render(
        request,
        "supporters/training.html",
        {
            "rows": rows,
            "paused_for_training": profile is not None and profile.paused_for == training.PAUSED_FOR_TRAINING,
            "form": CompletionForm(),
        },
    )
