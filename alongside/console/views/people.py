"""People and roles: find an account, grant or remove roles, deactivate or reactivate it."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_POST

from alongside.accounts.models import User
from alongside.accounts.services import set_role
from alongside.audit.services import record
from alongside.console import selectors
from alongside.console.forms import ActiveForm, PeopleFilterForm, RoleForm
from alongside.console.services import set_account_active
from alongside.console.views import page, paginate
from alongside.lib.access import AuthedRequest, coordinator_required

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
        rows.append({"at": e.at, "label": label, "actor": actor, "self": e.actor_id == user.pk})
    return rows


@coordinator_required
def person(request: AuthedRequest, pk: int) -> HttpResponse:
    subject = selectors.person(pk)
    if subject is None:
        raise Http404
    # The detail page shows the email address, so the visit goes into the person's own access log.
    record("console.person.viewed", actor=request.user, subject=subject, target=subject, request=request)
    return page(
        request,
        "console/people/detail.html",
        {"person": subject, "events": _event_rows(subject), "is_self": subject.pk == request.user.pk},
        section="people",
    )


@coordinator_required
@require_POST
def person_role(request: AuthedRequest, pk: int) -> HttpResponse:
    subject = get_object_or_404(User, pk=pk)
    form = RoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, "That change wasn't understood; nothing was changed.")
        return redirect("console:person", pk=subject.pk)
    role, granted = form.cleaned_data["role"], form.cleaned_data["granted"]
    if granted and not subject.is_active:
        messages.error(request, "Reactivate this account before giving it a role.")
        return redirect("console:person", pk=subject.pk)
    try:
        changed = set_role(actor=request.user, user=subject, role=role, granted=granted, request=request)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        name = subject.display_name
        if not changed:
            messages.info(
                request, f"Nothing changed: {name} {'already has' if granted else 'does not have'} that role."
            )
        elif granted:
            messages.success(
                request, f"{name} is now a {role}. They will be asked to set up two-factor authentication."
            )
        else:
            messages.success(request, f"{name} is no longer a {role}.")
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
