"""The coordinators' waitlist, batch matching (preview, then apply) and matching by hand."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import OperationalError
from django.http import HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from alongside.audit.access import AuthedRequest, coordinator_required
from alongside.connections import batch, waitlist
from alongside.connections.access import get_support_request
from alongside.connections.forms import HandMatchForm
from alongside.connections.models import OFFER_HOURS
from alongside.console.views import page, paginate
from alongside.lib.text import end_sentence
from alongside.lib.views import attempt, posted
from alongside.matching.forms import WeightsForm
from alongside.matching.models import MatchingSettings
from alongside.matching.services import update_weights
from alongside.supporters.models import SupporterProfile

SECTION = "matching"
PAIRS_PER_PAGE = 100
UNMATCHED_SHOWN = 200


@coordinator_required
def waitlist_page(request: AuthedRequest) -> HttpResponse:
    page_of = paginate(request, waitlist.waiting_requests())
    return page(
        request,
        "console/matching/waitlist.html",
        {
            "page": page_of,
            "rows": waitlist.waitlist_rows(page_of.object_list),
            "batch_count": waitlist.batch_size(),
        },
        section=SECTION,
    )


@coordinator_required
@require_POST
def batch_preview(request: AuthedRequest) -> HttpResponse:
    preview = batch.preview_batch(actor=request.user, request=request)
    return redirect("console:batch_detail", key=preview.key)


def _preview_context(request: AuthedRequest, preview: batch.BatchPreview) -> dict[str, Any]:
    """The preview's pairs one page at a time, with names read fresh (the cache holds ids only)."""
    result = preview.result
    pairs_page = Paginator(preview.pairs, PAIRS_PER_PAGE).get_page(request.GET.get("page"))
    shown_pairs: list[batch.PreviewPair] = list(pairs_page.object_list)
    shown_unmatched = preview.unmatched[:UNMATCHED_SHOWN]
    skipped = result.skipped if result is not None else ()
    members = waitlist.member_names(
        [p.request_id for p in shown_pairs] + list(shown_unmatched) + [s.request_id for s in skipped]
    )
    supporters = waitlist.supporter_names([p.supporter_id for p in shown_pairs] + [s.supporter_id for s in skipped])
    return {
        "preview": preview,
        "page": pairs_page,
        "pairs": [
            {"pair": p, "member": members.get(p.request_id, "Someone"), "supporter": supporters.get(p.supporter_id)}
            for p in shown_pairs
        ],
        "unmatched": [{"request_id": pk, "member": members.get(pk, "Someone")} for pk in shown_unmatched],
        "unmatched_more": max(len(preview.unmatched) - UNMATCHED_SHOWN, 0),
        "result": result,
        "skipped": [
            {"skip": s, "member": members.get(s.request_id, "Someone"), "supporter": supporters.get(s.supporter_id)}
            for s in skipped
        ],
        "made_by": waitlist.coordinator_name(preview.made_by),
        "applied_by": waitlist.coordinator_name(result.applied_by) if result is not None else "",
        "offer_hours": OFFER_HOURS,
    }


@coordinator_required
def batch_detail(request: AuthedRequest, key: str) -> HttpResponse:
    preview = batch.load_preview(key)
    if preview is None:
        messages.error(request, "That preview has expired. Match the waitlist again for a fresh one.")
        return redirect("console:waitlist")
    return page(request, "console/matching/batch.html", _preview_context(request, preview), section=SECTION)


@coordinator_required
@require_POST
def batch_apply(request: AuthedRequest, key: str) -> HttpResponse:
    try:
        result = batch.apply_batch(actor=request.user, key=key, request=request)
    except OperationalError:
        # A lock wait that ended in a deadlock (another coordinator or a supporter's reply got in
        # the way): the whole batch was rolled back, so nothing was sent and it can be tried again.
        messages.error(request, "Someone else changed these requests at the same moment; nothing was sent. Try again.")
        return redirect("console:batch_detail", key=key)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        if batch.load_preview(key) is None:
            return redirect("console:waitlist")
        return redirect("console:batch_detail", key=key)
    sent, skipped = len(result.sent), len(result.skipped)
    text = f"{sent} offer{'s' if sent != 1 else ''} sent."
    if skipped:
        text += f" {skipped} pair{'s were' if skipped != 1 else ' was'} skipped because things changed; see below."
    messages.success(request, text)
    return redirect("console:batch_detail", key=key)


@coordinator_required
def request_match(request: AuthedRequest, pk: int) -> HttpResponse:
    support_request = get_support_request(request, pk, role="coordinator")
    waiting = support_request.status in waitlist.WAITING_STATUSES
    candidates = waitlist.hand_candidates(support_request) if waiting else None
    form = None
    if candidates is not None and candidates.suggestions:
        form = HandMatchForm(
            posted(request),
            candidates=candidates.suggestions,
            names=candidates.names,
        )
        if request.method == "POST" and form.is_valid():
            supporter = SupporterProfile.objects.get(pk=form.cleaned_data["supporter"])
            offer = attempt(
                request,
                lambda: batch.match_by_hand(
                    actor=request.user,
                    support_request=support_request,
                    supporter=supporter,
                    reason=form.cleaned_data["reason"],
                    request=request,
                ),
                form=form,
            )
            if offer is not None:
                name = candidates.names.get(supporter.pk, "The supporter")
                messages.success(request, f"Offer sent to {end_sentence(name)} They have {OFFER_HOURS} hours to reply.")
                return redirect("console:waitlist")
    elif request.method == "POST":
        messages.error(request, "This request can't be matched by hand now; nothing was sent.")
    return page(
        request,
        "console/matching/request_match.html",
        {
            "support_request": support_request,
            "waiting": waiting,
            "candidates": candidates,
            "form": form,
            "topics": [t.name for t in support_request.topics.all()],
            "offer_hours": OFFER_HOURS,
        },
        section=SECTION,
    )


@coordinator_required
def weights(request: AuthedRequest) -> HttpResponse:
    current = MatchingSettings.current().as_dict()
    form = WeightsForm(request.POST or None, initial=current)
    if request.method == "POST" and form.is_valid():
        try:
            update_weights(
                actor=request.user, weights={k: float(v) for k, v in form.cleaned_data.items()}, request=request
            )
        except ValueError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "The matching weights are saved. New suggestions and batches use them.")
            return redirect("console:matching_weights")
    return page(request, "console/matching/weights.html", {"form": form, "current": current}, section=SECTION)
