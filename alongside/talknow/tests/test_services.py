"""Dispatch, accept, cancel, end and the timers, as the services do them."""

from __future__ import annotations

import datetime as dt
import threading
import time

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection, connections

from alongside.conversations.models import Thread, ThreadKind, ThreadMember
from alongside.lib.time import now
from alongside.notifications.models import Kind, Notification
from alongside.notifications.services import user_group
from alongside.roster.models import ContactFormat, ContactRecord, Role
from alongside.roster.services import open_contact, set_busy_by_choice
from alongside.service.models import ServiceSettings
from alongside.service.selectors import ServiceSnapshot, forget_snapshot
from alongside.supporters.models import SupporterProfile, SupporterStatus
from alongside.talknow import services, tasks
from alongside.talknow.models import Medium, Outcome, State, TalkNowOffer, TalkNowRequest
from tests import factories

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("open_service")]


def _offered(req: TalkNowRequest) -> set[int]:
    return set(TalkNowOffer.objects.filter(request=req).values_list("supporter_id", flat=True))


@pytest.fixture
def pushes(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, object]]:
    sent: list[dict[str, object]] = []

    def push(user_ids, *, title, body, url, tag):  # type: ignore[no-untyped-def]
        sent.append({"ids": sorted(user_ids), "title": title, "body": body, "url": url, "tag": tag})

    monkeypatch.setattr(services, "push_to_users", push)
    return sent


def test_it_offers_every_available_on_shift_primary_supporter_and_no_one_else(
    member, django_capture_on_commit_callbacks, pushes
):
    free = [factories.supporter() for _ in range(3)]
    busy, paused, chosen_busy, backup = (factories.supporter() for _ in range(4))
    off_shift = factories.supporter()
    factories.shift(primary=[*free, busy, paused, chosen_busy], backup=[backup])
    factories.shift(starts_at=now() + dt.timedelta(hours=5), primary=[off_shift])
    open_contact(supporter_id=busy.pk, format=ContactFormat.PHONE)
    SupporterProfile.objects.filter(user=paused).update(status=SupporterStatus.PAUSED)
    set_busy_by_choice(supporter=chosen_busy, busy=True)
    with django_capture_on_commit_callbacks(execute=True):
        req = services.ask(member=member, medium=Medium.CHAT)
    assert _offered(req) == {s.pk for s in free}
    assert set(TalkNowOffer.objects.values_list("role", flat=True)) == {Role.PRIMARY}
    assert pushes == [
        {
            "ids": sorted(s.pk for s in free),
            "title": "Talk now",
            "body": "Someone would like to talk now",
            "url": "/talk-now/offers/",
            "tag": f"talknow-{req.pk}",
        }
    ]
    assert req.state == State.WAITING and req.backups_offered_at is None


def test_with_no_primary_free_it_goes_to_the_backups_at_once(member):
    backup = factories.supporter()
    factories.shift(backup=[backup])
    req = services.ask(member=member, medium=Medium.VOICE)
    req.refresh_from_db()
    assert _offered(req) == {backup.pk} and req.backups_offered_at is not None


def test_a_member_has_one_open_request_at_a_time(member):
    services.ask(member=member, medium=Medium.CHAT)
    with pytest.raises(ValidationError):
        services.ask(member=member, medium=Medium.CHAT)
    assert TalkNowRequest.objects.filter(member=member).count() == 1


def test_outside_opening_hours_nobody_is_asked(member, monkeypatch):
    monkeypatch.setattr(ServiceSnapshot, "is_open_at", lambda self, moment: False)
    factories.shift(primary=[factories.supporter()])
    with pytest.raises(ValidationError, match="closed"):
        services.ask(member=member, medium=Medium.CHAT)
    assert not TalkNowRequest.objects.exists() and not TalkNowOffer.objects.exists()


def test_the_first_accept_wins_and_the_others_offers_go(member, django_capture_on_commit_callbacks):
    first, second = factories.supporter(), factories.supporter()
    factories.shift(primary=[first, second])
    req = services.ask(member=member, medium=Medium.VOICE)
    offer_1, offer_2 = (TalkNowOffer.objects.get(request=req, supporter=s) for s in (first, second))
    with django_capture_on_commit_callbacks(execute=True):
        assert services.accept(offer=offer_1, supporter=first) == services.Accepted.WON
    assert services.accept(offer=offer_2, supporter=second) == services.Accepted.TAKEN
    req.refresh_from_db()
    assert req.state == State.CONNECTED and req.supporter == first
    assert req.thread is not None and req.thread.kind == ThreadKind.TALKNOW
    assert set(ThreadMember.objects.filter(thread=req.thread).values_list("user_id", flat=True)) == {
        member.pk,
        first.pk,
    }
    assert req.contact is not None and req.contact.format == ContactFormat.TALKNOW_VOICE and req.contact.is_open
    outcomes = dict(TalkNowOffer.objects.filter(request=req).values_list("supporter_id", "outcome"))
    assert outcomes == {first.pk: Outcome.ACCEPTED, second.pk: Outcome.TAKEN}
    assert ContactRecord.objects.filter(supporter=second).count() == 0


def test_a_cancelled_request_cannot_be_accepted(member):
    supporter = factories.supporter()
    factories.shift(primary=[supporter])
    req = services.ask(member=member, medium=Medium.CHAT)
    assert services.cancel(req=req, member=member)
    assert not services.cancel(req=req, member=member)
    offer = TalkNowOffer.objects.get(request=req)
    assert offer.outcome == Outcome.WITHDRAWN
    assert services.accept(offer=offer, supporter=supporter) == services.Accepted.GONE
    assert not ContactRecord.objects.exists()


def test_ending_closes_the_thread_and_the_contact(member):
    supporter = factories.supporter()
    factories.shift(primary=[supporter])
    req = services.ask(member=member, medium=Medium.CHAT)
    services.accept(offer=TalkNowOffer.objects.get(request=req), supporter=supporter)
    req.refresh_from_db()
    assert services.end(req=req, user=supporter)
    assert not services.end(req=req, user=member)
    req.refresh_from_db()
    assert req.state == State.ENDED and req.ended_at is not None
    assert Thread.objects.get(pk=req.thread_id).closed_at is not None
    contact = ContactRecord.objects.get(pk=req.contact_id)
    assert contact.ended_at is not None and contact.filed_at is None


# --- the timers: a moved clock, each step once ------------------------------------------------------------------


def _minutes(start: dt.datetime, minutes: float) -> dt.datetime:
    return start + dt.timedelta(minutes=minutes)


def test_timeouts_go_to_backups_then_coordinators_then_lapse_each_exactly_once(
    member, coordinator, django_capture_on_commit_callbacks, pushes
):
    ServiceSettings.objects.update_or_create(pk=1, defaults={"talk_now_wait_minutes": 2})
    forget_snapshot()
    primary, backup = factories.supporter(), factories.supporter()
    start = now()
    factories.shift(starts_at=start - dt.timedelta(minutes=10), hours=3, primary=[primary], backup=[backup])
    req = services.ask(member=member, medium=Medium.CHAT, at=start)
    assert _offered(req) == {primary.pk}

    assert services.enforce_timers(_minutes(start, 1.9))["backups"] == 0  # not due yet
    with django_capture_on_commit_callbacks(execute=True):
        done = services.enforce_timers(_minutes(start, 2))
    assert done["backups"] == 1
    assert _offered(req) == {primary.pk, backup.pk}
    assert services.enforce_timers(_minutes(start, 3))["backups"] == 0  # never twice

    with django_capture_on_commit_callbacks(execute=True):
        assert services.enforce_timers(_minutes(start, 4))["coordinators"] == 1
    assert services.enforce_timers(_minutes(start, 5))["coordinators"] == 0
    alerts = Notification.objects.filter(user=coordinator, kind=Kind.TALKNOW_WAITING)
    assert alerts.count() == 1 and alerts.get().link == "/console/talk-now/"
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [coordinator.email]
    assert member.display_name not in mail.outbox[0].body
    assert any(p["ids"] == [coordinator.pk] and p["url"] == "/console/talk-now/" for p in pushes)
    req.refresh_from_db()
    assert req.state == State.WAITING and req.stage == "coordinators"

    assert services.enforce_timers(_minutes(start, 59))["lapsed"] == 0  # the request stays open meanwhile
    with django_capture_on_commit_callbacks(execute=True):
        assert services.enforce_timers(_minutes(start, 60))["lapsed"] == 1
    assert services.enforce_timers(_minutes(start, 61))["lapsed"] == 0
    req.refresh_from_db()
    assert req.state == State.LAPSED
    assert set(TalkNowOffer.objects.filter(request=req).values_list("outcome", flat=True)) == {Outcome.WITHDRAWN}


def test_a_worker_restart_midway_still_fires_every_step(member, coordinator):
    """The eta tasks were lost with the worker: the periodic sweep alone takes every step, once each."""
    primary, backup = factories.supporter(), factories.supporter()
    start = now()
    factories.shift(starts_at=start - dt.timedelta(minutes=10), hours=3, primary=[primary], backup=[backup])
    req = services.ask(member=member, medium=Medium.CHAT, at=start)
    # The worker went down as the request was made; it comes back 30 minutes later, the first step overdue.
    # Each later step still gets its whole wait (3 minutes) after the one before, so the backups have a chance.
    moments = [_minutes(start, m) for m in (30, 30, 32, 33, 33, 95, 95)]
    steps = [services.enforce_timers(at) for at in moments]
    assert [s["backups"] for s in steps] == [1, 0, 0, 0, 0, 0, 0]
    assert [s["coordinators"] for s in steps] == [0, 0, 0, 1, 0, 0, 0]
    assert [s["lapsed"] for s in steps] == [0, 0, 0, 0, 0, 1, 0]
    req.refresh_from_db()
    assert req.state == State.LAPSED
    # The coordinators had a full wait after their alert before the request lapsed.
    assert req.lapsed_at is not None and req.coordinators_alerted_at is not None
    assert req.lapsed_at - req.coordinators_alerted_at >= dt.timedelta(minutes=3)
    assert Notification.objects.filter(kind=Kind.TALKNOW_WAITING).count() == 1


def test_the_eta_step_is_idempotent_beside_the_sweep(member):
    start = now()
    factories.shift(starts_at=start - dt.timedelta(minutes=10), hours=3, primary=[factories.supporter()])
    req = services.ask(member=member, medium=Medium.CHAT, at=start)
    at = _minutes(start, 3)
    assert services.advance(request_id=req.pk, at=at) == "backups"
    assert services.advance(request_id=req.pk, at=at) == ""
    assert services.enforce_timers(at)["backups"] == 0


def test_a_supporter_who_comes_on_shift_or_frees_up_while_it_waits_is_offered_it(member):
    start = now()
    first, later, freed = factories.supporter(), factories.supporter(), factories.supporter()
    factories.shift(starts_at=start - dt.timedelta(minutes=10), hours=1, primary=[first, freed])
    contact = open_contact(supporter_id=freed.pk, format=ContactFormat.PHONE)
    req = services.ask(member=member, medium=Medium.CHAT, at=start)
    assert _offered(req) == {first.pk}
    factories.shift(starts_at=start, hours=1, primary=[later])
    ContactRecord.objects.filter(pk=contact.pk).update(ended_at=now())
    assert services.enforce_timers(_minutes(start, 1))["offered"] == 2
    assert _offered(req) == {first.pk, later.pk, freed.pk}
    assert services.enforce_timers(_minutes(start, 1.5))["offered"] == 0


def test_a_supporter_whose_shift_ends_or_who_turns_busy_loses_the_offer_live(
    member, monkeypatch, django_capture_on_commit_callbacks
):
    start = now()
    leaving, busy, staying = factories.supporter(), factories.supporter(), factories.supporter()
    factories.shift(starts_at=start - dt.timedelta(hours=1), hours=1.25, primary=[leaving])
    factories.shift(starts_at=start - dt.timedelta(hours=1), hours=3, primary=[busy, staying])
    req = services.ask(member=member, medium=Medium.CHAT, at=start)
    assert _offered(req) == {leaving.pk, busy.pk, staying.pk}
    sent: list[tuple[str, dict[str, object]]] = []
    monkeypatch.setattr(services.live, "send", sent.extend)
    set_busy_by_choice(supporter=busy, busy=True)

    with django_capture_on_commit_callbacks(execute=True):
        services.enforce_timers(_minutes(start, 16))  # the first shift ended at start + 15 minutes
    assert _offered(req) == {staying.pk}
    withdrawn = {group for group, event in sent if event["type"] == "talknow.withdrawn"}
    assert withdrawn == {user_group(leaving.pk), user_group(busy.pk)}

    set_busy_by_choice(supporter=busy, busy=False)  # free again while it still waits: offered it again
    services.enforce_timers(_minutes(start, 17))
    assert _offered(req) == {staying.pk, busy.pk}


# --- the accept race, on PostgreSQL ------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_two_accepting_at_the_same_instant_never_both_win(monkeypatch: pytest.MonkeyPatch):
    if connection.vendor != "postgresql":
        pytest.skip("the row lock race needs PostgreSQL (SQLite serialises every writer)")
    member = factories.member()
    rivals = [factories.supporter() for _ in range(4)]
    factories.shift(primary=rivals)
    req = services.ask(member=member, medium=Medium.CHAT)
    offers = {o.supporter_id: o for o in TalkNowOffer.objects.filter(request=req)}
    # Widen the window between reading the request and writing it: without the lock every rival gets through.
    real_open_contact = services.open_contact

    def slow_open_contact(**kwargs):  # type: ignore[no-untyped-def]
        time.sleep(0.3)
        return real_open_contact(**kwargs)

    monkeypatch.setattr(services, "open_contact", slow_open_contact)
    barrier = threading.Barrier(len(rivals))
    results: dict[int, str] = {}

    def race(supporter) -> None:  # type: ignore[no-untyped-def]
        try:
            barrier.wait()
            results[supporter.pk] = services.accept(offer=offers[supporter.pk], supporter=supporter)
        except Exception as exc:  # an error page is a failure too
            results[supporter.pk] = f"error: {type(exc).__name__}"
        finally:
            connections.close_all()

    threads = [threading.Thread(target=race, args=(s,)) for s in rivals]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert sorted(results.values()) == sorted(["won"] + ["taken"] * (len(rivals) - 1)), results
    winner = next(pk for pk, r in results.items() if r == "won")
    req.refresh_from_db()
    assert req.state == State.CONNECTED and req.supporter_id == winner
    assert ContactRecord.objects.count() == 1 and Thread.objects.count() == 1
    assert TalkNowOffer.objects.filter(request=req, outcome=Outcome.ACCEPTED).count() == 1


def test_the_tasks_run_the_same_steps(member):
    start = now()
    factories.shift(starts_at=start - dt.timedelta(minutes=10), hours=3, primary=[factories.supporter()])
    req = services.ask(member=member, medium=Medium.CHAT, at=start - dt.timedelta(minutes=4))
    assert tasks.step.call_local(req.pk) == "backups"
    assert tasks.step.call_local(req.pk) == ""
    assert tasks.sweep.call_local()["backups"] == 0


def test_a_supporter_who_accepts_one_loses_their_other_offers_until_free_again(member, other_member):
    supporter = factories.supporter()
    factories.shift(primary=[supporter])
    first = services.ask(member=member, medium=Medium.CHAT)
    second = services.ask(member=other_member, medium=Medium.CHAT)
    assert services.accept(offer=TalkNowOffer.objects.get(request=first), supporter=supporter) == "won"
    assert not TalkNowOffer.objects.filter(request=second).exists()
    assert services.enforce_timers()["offered"] == 0  # busy: not offered again meanwhile
    first.refresh_from_db()
    services.end(req=first, user=supporter)
    services.enforce_timers()
    assert _offered(second) == {supporter.pk}
