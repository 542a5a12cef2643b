"""People and roles: find an account, grant or remove roles, deactivate or reactivate it."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_http_methods, require_POST

from alongside.accounts.models import User
from alongside.accounts.services import set_role
from alongside.audit.access import AuthedRequest, coordinator_required
from alongside.audit.services import record_identity_access
from alongside.console import selectors
from alongside.console.forms import ActiveForm, PeopleFilterForm, RoleChoiceForm, RoleForm
from alongside.console.services import set_account_active
from alongside.console.views import page, paginate

EVENT_LABELS = {
    "accounts.role.granted": "{role} role granted",
    "accounts.role.removed": "{role} role removed",
    "accounts.user.deactivated": "Account deactivated",
    "accounts.user.reactivated": "Account reactivated",
    "accounts.mfa.enabled": "Two-factor authentication set up",
    "accounts.mfa.disabled": "Two-factor authentication removed",
    "accounts.mfa.reset": "Recovery codes renewed",
}


@coordinator_required
def people(request: AuthedRequest) -> HttpResponse:
    form = PeopleFilterForm(request.GET or None)
    data: dict[str, Any] = form.cleaned_data if form.is_valid() else {}
    results = selectors.search_people(query=data.get("q", ""), role=data.get("role", ""))
    return page(
        request,
        "console/people/list.html",
        {"form": form, "page": paginate(request, results), "filtered": bool(data and any(data.values()))},
        section="people",
    )


def _event_rows(user: User) -> list[dict[str, Any]]:
    events = selectors.account_events(user)
    actors = {u.pk: u for u in User.objects.select_related("profile").filter(pk__in={e.actor_id for e in events})}
    rows = []
    for e in events:
        template = EVENT_LABELS.get(e.action, e.action)
        label = template.format(role=str(e.details.get("role", "")).capitalize())
        actor = actors.get(e.actor_id) if e.actor_id else None
        rows.append({"at": e.at, "label": label, "actor": actor, "self": e.actor_id == user.pk, "reason": e.reason})
    return rows


@coordinator_required
def person(request: AuthedRequest, pk: int) -> HttpResponse:
    subject = selectors.person(pk)
    if subject is None:
        raise Http404
    # The detail page shows the email address, so the visit goes into the person's own access log.
    record_identity_access("viewed", actor=request.user, subject=subject, target=subject, request=request)
    return page(
        request,
        "console/people/detail.html",
        {"person": subject, "events": _event_rows(subject), "is_self": subject.pk == request.user.pk},
        section="people",
    )


ROLE_NAMES = {"supporter": "a supporter", "coordinator": "a coordinator", "debrief_lead": "a debrief lead"}


@coordinator_required
@require_http_methods(["GET", "POST"])
def person_role(request: AuthedRequest, pk: int) -> HttpResponse:
    """Granting or removing a role: GET asks for confirmation and a reason, POST with the reason does it."""
    subject = get_object_or_404(User, pk=pk)
    posted = request.method == "POST"
    choice = RoleChoiceForm(request.POST if posted else request.GET)
    if not choice.is_valid():
        messages.error(request, "That change wasn't understood; nothing was changed.")
        return redirect("console:person", pk=subject.pk)
    role, granted = choice.cleaned_data["role"], choice.cleaned_data["granted"]
    name = subject.display_name
    # Refusals that need no reason come before the question.
    if granted and not subject.is_active:
        messages.error(request, "Reactivate this account before giving it a role.")
        return redirect("console:person", pk=subject.pk)
    if getattr(subject, f"is_{role}") == granted:
        messages.info(request, f"Nothing changed: {name} {'already has' if granted else 'does not have'} that role.")
        return redirect("console:person", pk=subject.pk)
    if role == "coordinator" and not granted and subject.pk == request.user.pk:
        messages.error(request, "You can't remove your own coordinator role; ask another coordinator.")
        return redirect("console:person", pk=subject.pk)
    form = RoleForm(request.POST if posted else None, initial={"role": role, "granted": "1" if granted else "0"})
    if not posted or not form.is_valid():
        return page(
            request,
            "console/people/role_confirm.html",
            {
                "person": subject,
                "form": form,
                "role": role,
                "role_name": ROLE_NAMES[role],
                "role_label": ROLE_NAMES[role].split(" ", 1)[1],
                "granted": granted,
            },
            section="people",
        )
    try:
        changed = set_role(
            actor=request.user,
            user=subject,
            role=role,
            granted=granted,
            reason=form.cleaned_data["reason"],
            request=request,
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        if not changed:
            messages.info(
                request, f"Nothing changed: {name} {'already has' if granted else 'does not have'} that role."
            )
        elif granted:
            messages.success(
                request,
                f"{name} is now a debrief lead: they can start incident debriefs."
                if role == "debrief_lead"
                else f"{name} is now a {role}. They will be asked to set up two-factor authentication.",
            )
        else:
            messages.success(request, f"{name} is no longer {ROLE_NAMES[role]}.")
    return redirect("console:person", pk=subject.pk)


@coordinator_required
@require_POST
def person_active(request: AuthedRequest, pk: int) -> HttpResponse:
    subject = get_object_or_404(User, pk=pk)
    form = ActiveForm(request.POST)
    if not form.is_valid():
        messages.error(request, "That change wasn't understood; nothing was changed.")
        return redirect("console:person", pk=subject.pk)
    active = form.cleaned_data["active"]
    try:
        changed = set_account_active(actor=request.user, user=subject, active=active, request=request)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        if changed:
            messages.success(
                request,
                f"{subject.display_name}'s account is active again."
                if active
                else f"{subject.display_name}'s account is deactivated. They can't sign in until it is reactivated.",
            )
    return redirect("console:person", pk=subject.pk)
