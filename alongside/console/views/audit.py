"""The audit viewer: every event, filtered by actor, action, target and time, and the hash chain verified from the
screen. Looking is itself recorded."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.views.decorators.http import require_POST

from alongside.audit.access import AuthedRequest, coordinator_required
from alongside.audit.chain import verify
from alongside.audit.models import Outcome
from alongside.audit.services import record
from alongside.console.audit_trail import Filters, events, names_for, parse_filters
from alongside.console.views import page, paginate

SECTION = "audit"


def _render(request: AuthedRequest, *, verdict: object = None) -> HttpResponse:
    params = {
        key: request.GET.get(key, "")
        for key in ("actor", "action", "target_type", "target_id", "outcome", "since", "until")
    }
    problems: list[str] = []
    try:
        filters = parse_filters(params)
    except ValidationError as exc:
        problems = exc.messages
        filters = Filters()
    rows = paginate(request, events(filters)) if not problems else None
    names = names_for(list(rows.object_list)) if rows is not None else {}
    lines = [(e, _who(e.actor_id, names, "the system"), _who(e.subject_id, names, "")) for e in (rows or [])]
    return page(
        request,
        "console/audit.html",
        {
            "params": params,
            "problems": problems,
            "page": rows,
            "lines": lines,
            "outcomes": Outcome.choices,
            "verdict": verdict,
        },
        section=SECTION,
        status=400 if problems else 200,
    )


def _who(account: int | None, names: dict[int, str], nobody: str) -> str:
    if account is None:
        return nobody
    name = names.get(account)
    return f"{name} ({account})" if name else f"account {account}"


@coordinator_required
def audit_log(request: AuthedRequest) -> HttpResponse:
    record("console.audit.viewed", actor=request.user, request=request)
    return _render(request)


@coordinator_required
@require_POST
def audit_verify(request: AuthedRequest) -> HttpResponse:
    verdict = verify()
    record(
        "console.audit.verified",
        actor=request.user,
        request=request,
        details={"intact": verdict.intact, "events": verdict.events},
    )
    return _render(request, verdict=verdict)
