"""Thin views: the first line checks access, one service call writes, then render or redirect."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from alongside.accounts.models import Profile
from alongside.audit.access import AuthedRequest, supporter_required
from alongside.connections import services
from alongside.connections.access import (
    get_connection,
    get_offer,
    get_support_request,
)
from alongside.connections.forms import CloseForm, FeedbackForm, PickForm, ReviewForm, SupportRequestForm
from alongside.connections.models import Connection, OfferStatus, RequestStatus, Side, Suggestion
from alongside.connections.selectors import (
    cached_expected_wait,
    live_request_for,
    offers_for_supporter,
    pending_offer_cards,
    pending_offer_of,
    review_state,
    suggestions_for,
)
from alongside.lib.text import end_sentence
from alongside.lib.views import attempt, posted
from alongside.matching.weekly import describe_slots
from alongside.supporters.models import SupporterProfile

# --- the member's request -----------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def request_new(request: AuthedRequest) -> HttpResponse:
    """A member asks for an ongoing peer."""
    live = live_request_for(request.user)
    if live is not None:
        messages.info(request, "You already have a request for a peer open.")
        return redirect("connections:request_detail", pk=live.pk)
    profile = getattr(request.user, "profile", None)
    initial = {"languages": list(profile.languages.all()) if profile is not None else []}
    form = SupportRequestForm(posted(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        created = attempt(
            request,
            lambda: services.create_request(
                member=request.user,
                topics=data["topics"],
                peer_kind=data["peer_kind"],
                same_specialty=data["same_specialty"],
                gender_wanted=data["gender_wanted"],
                languages=data["languages"],
                formats=data["formats"],
                availability=form.windows(),
                excluded_workplaces=data["excluded_workplaces"],
                allow_own_workplace=data["allow_own_workplace"],
                note=data["note"],
                request=request,
            ),
            form=form,
        )
        if created is not None:
            return redirect("connections:request_detail", pk=created.pk)
    return render(request, "connections/request_new.html", {"form": form})


def _specialties(supporter: SupporterProfile, person: Profile | None) -> list[str]:
    """Every specialty the supporter lists and their own profile's, as matching counts them."""
    names = {s.name for s in supporter.specialties.all()}
    if person is not None and person.specialty is not None:
        names.add(person.specialty.name)
    return sorted(names)


def _card(suggestion: Suggestion, time_zone: str) -> dict[str, Any]:
    """What a member may see of a suggested supporter: never workplace, email or contact details."""
    supporter = suggestion.supporter
    person = getattr(supporter.user, "profile", None)
    return {
        "suggestion": suggestion,
        "display_name": supporter.user.display_name,
        "career_stage": person.get_career_stage_display() if person is not None and person.career_stage else "",
        "specialties": _specialties(supporter, person),
        "topics": [t.name for t in supporter.topics.all()],
        "languages": [lang.name for lang in person.languages.all()] if person is not None else [],
        "times": describe_slots(suggestion.overlap, time_zone),
        "bio": supporter.bio,
        "reasons": suggestion.reasons,
    }


@login_required
def request_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    support_request = get_support_request(request, pk)
    context: dict[str, Any] = {"support_request": support_request}
    if support_request.status == RequestStatus.OPEN:
        offered = set(support_request.offers.values_list("supporter_id", flat=True))
        rows = [s for s in suggestions_for(support_request) if s.supporter_id not in offered]
        page = max((s.page for s in rows), default=0)
        context["current"] = [_card(s, support_request.time_zone) for s in rows if s.page == page]
        context["earlier"] = [_card(s, support_request.time_zone) for s in rows if s.page != page]
    if support_request.is_live:
        context["wait"] = cached_expected_wait(support_request)
    pending = pending_offer_of(support_request)
    if pending is not None:
        context["pending"] = pending
    if support_request.status == RequestStatus.MATCHED:
        context["connection"] = getattr(support_request, "connection", None)
    return render(request, "connections/request_detail.html", context)


@login_required
@require_POST
def request_pick(request: AuthedRequest, pk: int) -> HttpResponse:
    support_request = get_support_request(request, pk)
    form = PickForm(request.POST)
    suggestion = None
    if form.is_valid():
        suggestion = Suggestion.objects.filter(request=support_request, pk=form.cleaned_data["suggestion"]).first()
    if suggestion is None:
        messages.error(request, "Choose one of the peers suggested to you.")
        return redirect("connections:request_detail", pk=support_request.pk)
    offer = attempt(
        request, lambda: services.pick(support_request=support_request, suggestion=suggestion, actor=request.user)
    )
    if offer is not None:
        messages.success(
            request,
            f"We have asked {end_sentence(offer.supporter.user.display_name)} They have 48 hours to reply; "
            "if they can't, we will ask your next suggestion.",
        )
    return redirect("connections:request_detail", pk=support_request.pk)


@login_required
@require_POST
def request_more(request: AuthedRequest, pk: int) -> HttpResponse:
    support_request = get_support_request(request, pk)
    shown = attempt(
        request, lambda: services.show_more(support_request=support_request, actor=request.user, request=request)
    )
    if shown is not None and not shown:
        messages.info(
            request,
            "There are no more peers who fit your request right now. You can choose from those you have "
            "seen, or ask the coordinators to find someone.",
        )
    return redirect("connections:request_detail", pk=support_request.pk)


@login_required
@require_POST
def request_coordinators(request: AuthedRequest, pk: int) -> HttpResponse:
    support_request = get_support_request(request, pk)
    attempt(
        request,
        lambda: services.ask_coordinators(support_request=support_request, actor=request.user, request=request),
        done="The coordinators will choose a peer for you and let you know.",
    )
    return redirect("connections:request_detail", pk=support_request.pk)


@login_required
@require_POST
def request_withdraw(request: AuthedRequest, pk: int) -> HttpResponse:
    support_request = get_support_request(request, pk)
    attempt(
        request,
        lambda: services.withdraw_request(support_request=support_request, actor=request.user, request=request),
        done="Your request is withdrawn. You can ask again at any time.",
    )
    return redirect("home")


# --- the supporter's offers ---------------------------------------------------------


@supporter_required
def offers(request: AuthedRequest) -> HttpResponse:
    pending = pending_offer_cards(request.user)
    earlier = list(offers_for_supporter(request.user).exclude(status=OfferStatus.PENDING)[:50])
    return render(request, "connections/offers.html", {"pending": pending, "earlier": earlier})


@supporter_required
@require_POST
def offer_accept(request: AuthedRequest, pk: int) -> HttpResponse:
    offer = get_offer(request, pk)
    connection = attempt(
        request,
        lambda: services.accept_offer(offer=offer, actor=request.user, request=request),
        done="Thank you. Your connection has started.",
    )
    if connection is None:
        return redirect("connections:offers")
    return redirect("connections:connection_detail", pk=connection.pk)


@supporter_required
@require_POST
def offer_decline(request: AuthedRequest, pk: int) -> HttpResponse:
    offer = get_offer(request, pk)
    attempt(
        request,
        lambda: services.decline_offer(offer=offer, actor=request.user, request=request),
        done="Declined. Thank you for replying; the member's next suggestion is asked.",
    )
    return redirect("connections:offers")


# --- the connection -----------------------------------------------------------------


@login_required
def connection_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    connection = get_connection(request, pk)
    side = services.side_of(connection, request.user)
    partner = connection.peer_of(request.user)
    thread = getattr(connection, "thread", None)  # made on first use: a connection without one has no messages
    return render(
        request,
        "connections/connection_detail.html",
        {
            "connection": connection,
            "side": side,
            "partner": partner,
            "is_member": side == Side.MEMBER,
            "review": review_state(connection, side),
            "boundaries_open": thread is None or thread.last_seq == 0,
            "note": connection.request.note if side == Side.SUPPORTER else "",
            "topics": [t.name for t in connection.request.topics.all()],
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def connection_close(request: AuthedRequest, pk: int) -> HttpResponse:
    connection = get_connection(request, pk)
    if not connection.is_active:
        return redirect("connections:connection_detail", pk=connection.pk)
    form = CloseForm(posted(request))
    if request.method == "POST" and form.is_valid():
        closed = attempt(
            request,
            lambda: services.close_connection(
                connection=connection,
                actor=request.user,
                reason=form.cleaned_data["reason"],
                request=request,
            ),
            form=form,
        )
        if closed is not None:
            return _after_close(request, connection)
    return render(request, "connections/connection_close.html", {"connection": connection, "form": form})


def _after_close(request: AuthedRequest, connection: Connection) -> HttpResponse:
    messages.success(request, "The connection is closed. Thank you for the time you gave it.")
    if request.user.pk == connection.member_id:
        return redirect("connections:connection_feedback", pk=connection.pk)
    return redirect("home")


@login_required
@require_http_methods(["GET", "POST"])
def connection_change(request: AuthedRequest, pk: int) -> HttpResponse:
    """The member asks for a different peer. No reason asked."""
    connection = get_connection(request, pk, role="member")
    if not connection.is_active:
        return redirect("connections:connection_detail", pk=connection.pk)
    if request.method == "POST":
        new = attempt(
            request,
            lambda: services.ask_for_change(connection=connection, actor=request.user, request=request),
            done="Your connection is closed. Here are peers you could choose next.",
        )
        if new is None:
            return redirect("connections:connection_detail", pk=connection.pk)
        return redirect("connections:request_detail", pk=new.pk)
    return render(request, "connections/connection_change.html", {"connection": connection})


@login_required
@require_http_methods(["GET", "POST"])
def connection_block(request: AuthedRequest, pk: int) -> HttpResponse:
    connection = get_connection(request, pk)
    side = services.side_of(connection, request.user)
    form = CloseForm(posted(request))
    if request.method == "POST" and form.is_valid():
        blocked = attempt(
            request,
            lambda: services.block(
                connection=connection,
                actor=request.user,
                reason=form.cleaned_data["reason"],
                request=request,
            ),
            form=form,
        )
        if blocked is not None:
            messages.success(request, "Done. You will never be matched with this person again.")
            if side == Side.MEMBER:
                return redirect("connections:connection_feedback", pk=connection.pk)
            return redirect("home")
    partner = connection.peer_of(request.user)
    return render(
        request, "connections/connection_block.html", {"connection": connection, "form": form, "partner": partner}
    )


@login_required
@require_http_methods(["GET", "POST"])
def connection_review(request: AuthedRequest, pk: int) -> HttpResponse:
    connection = get_connection(request, pk)
    if not connection.review_is_due():
        messages.info(request, "There is no review point due for this connection.")
        return redirect("connections:connection_detail", pk=connection.pk)
    form = ReviewForm(posted(request))
    if request.method == "POST" and form.is_valid():
        answered = attempt(
            request,
            lambda: services.answer_review(
                connection=connection,
                actor=request.user,
                choice=form.cleaned_data["choice"],
                request=request,
            ),
            form=form,
        )
        if answered is not None:
            connection.refresh_from_db()
            if not connection.is_active:
                return _after_close(request, connection)
            messages.success(request, "Thank you. Your answer is saved.")
            return redirect("connections:connection_detail", pk=connection.pk)
    return render(request, "connections/connection_review.html", {"connection": connection, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def connection_feedback(request: AuthedRequest, pk: int) -> HttpResponse:
    """Three anonymous questions for the member after a connection closes."""
    connection = get_connection(request, pk, role="member")
    if not connection.feedback_pending:
        return redirect("home")
    skip = request.method == "POST" and "skip" in request.POST
    form = FeedbackForm(None if skip else posted(request))
    if request.method == "POST" and (skip or form.is_valid()):
        data = {} if skip else form.cleaned_data
        try:
            services.give_feedback(
                connection=connection,
                actor=request.user,
                felt_heard=data.get("felt_heard"),
                felt_respected=data.get("felt_respected"),
                would_recommend=data.get("would_recommend"),
                skip=skip,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, "Thank you." if skip else "Thank you for your answers.")
            return redirect("home")
    return render(request, "connections/connection_feedback.html", {"connection": connection, "form": form})
