import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection as db_connection

from alongside.audit.models import AuditEvent
from alongside.connections import services
from alongside.connections.models import (
    Block,
    Connection,
    ConnectionStatus,
    EndKind,
    Feedback,
    Offer,
    OfferSource,
    OfferStatus,
    RequestStatus,
    ReviewChoice,
    Suggestion,
    SupportRequest,
    WaitlistReason,
)
from alongside.connections.tests import factories as cf
from alongside.directory.models import Language
from alongside.notifications.models import Kind, Notification
from tests import factories

pytestmark = pytest.mark.django_db

FORMATS = ["chat", "voice", "phone", "video"]


def ask(member, **overrides):
    """The member asks for a peer the way the form does."""
    fields = {
        "member": member,
        "topics": [],
        "languages": Language.objects.filter(code="en"),
        "formats": FORMATS,
        "availability": [],
    }
    fields.update(overrides)
    return services.create_request(**fields)


@pytest.fixture
def supporters(english, exams):
    """Five supporters; lower numbers have more of what the member asks for, so the order is predictable."""
    made = []
    for i in range(5):
        profile = cf.clean_supporter(display_name=f"Supporter{i}")
        if i < 3:
            profile.topics.set([exams])
        made.append(profile)
    return made


def test_it_suggests_three_peers_and_stores_what_the_member_saw(member, supporters, exams):
    sr = ask(member, topics=[exams])
    shown = list(Suggestion.objects.filter(request=sr))
    assert [s.rank for s in shown] == [1, 2, 3]
    assert {s.supporter_id for s in shown} == {p.pk for p in supporters[:3]}
    assert all(s.page == 1 and s.reasons for s in shown)
    assert "has supported colleagues through training, assessment and exams" in shown[0].reasons
    assert sr.status == RequestStatus.OPEN


def test_show_more_moves_on_without_repeating_anyone(member, supporters):
    sr = ask(member)
    more = services.show_more(support_request=sr, actor=member)
    assert [s.rank for s in more] == [4, 5] and all(s.page == 2 for s in more)
    assert len({s.supporter_id for s in Suggestion.objects.filter(request=sr)}) == 5
    assert services.show_more(support_request=sr, actor=member) == []


def test_a_supporter_from_the_members_own_workplace_is_never_suggested(member, english):
    shared = factories.WorkplaceFactory()
    cf.set_person(member, workplaces=[shared])
    colleague = cf.clean_supporter()
    cf.set_person(colleague.user, workplaces=[shared])
    stranger = cf.clean_supporter()
    sr = ask(member)
    assert list(Suggestion.objects.filter(request=sr).values_list("supporter_id", flat=True)) == [stranger.pk]
    assert services.show_more(support_request=sr, actor=member) == []


def test_an_excluded_workplace_is_avoided_as_well(member, english):
    avoid = factories.WorkplaceFactory()
    elsewhere = cf.clean_supporter()
    cf.set_person(elsewhere.user, workplaces=[avoid])
    sr = ask(member, excluded_workplaces=[avoid])
    assert sr.status == RequestStatus.WAITLIST and sr.waitlist_reason == WaitlistReason.NO_SUGGESTIONS


def test_a_member_who_allows_it_can_be_matched_within_their_workplace(member, english):
    shared = factories.WorkplaceFactory()
    cf.set_person(member, workplaces=[shared])
    colleague = cf.clean_supporter()
    cf.set_person(colleague.user, workplaces=[shared])
    sr = ask(member, allow_own_workplace=True)
    assert list(Suggestion.objects.filter(request=sr).values_list("supporter_id", flat=True)) == [colleague.pk]


def test_a_wished_for_gender_is_a_hard_constraint(member, english):
    cf.clean_supporter(gender="Man")
    woman = cf.clean_supporter(gender="woman")
    sr = ask(member, gender_wanted="Woman")
    assert list(Suggestion.objects.filter(request=sr).values_list("supporter_id", flat=True)) == [woman.pk]


def test_with_nobody_free_the_request_goes_straight_to_the_coordinators(member, english):
    sr = ask(member)
    assert sr.status == RequestStatus.WAITLIST and sr.waitlisted_at is not None
    assert Notification.objects.filter(user=member, kind=Kind.REQUEST_WAITLISTED).exists()


def test_a_member_has_one_live_request_at_a_time(member, supporters):
    ask(member)
    with pytest.raises(ValidationError, match="already have a request"):
        ask(member)


def test_the_note_is_encrypted_at_rest_and_an_oversized_one_is_refused(member, supporters):
    sr = ask(member, note="Finding nights hard since my exam.")
    with db_connection.cursor() as cursor:
        cursor.execute("SELECT note FROM connections_supportrequest WHERE id = %s", [sr.pk])
        stored = cursor.fetchone()[0]
    assert stored.startswith("enc1:") and "exam" not in stored
    assert SupportRequest.objects.get(pk=sr.pk).note == "Finding nights hard since my exam."
    with pytest.raises(ValidationError):
        ask(factories.member(), note="x" * 1001)
    assert SupportRequest.objects.count() == 1


def test_picking_sends_an_offer_a_notification_and_an_email_with_no_detail(
    member, supporters, exams, django_capture_on_commit_callbacks
):
    cf.set_person(member, career_stage="intern")
    sr = ask(member, topics=[exams], note="Secret worries about my exams")
    first = Suggestion.objects.get(request=sr, rank=1)
    with django_capture_on_commit_callbacks(execute=True):
        offer = services.pick(support_request=sr, suggestion=first, actor=member)
    sr.refresh_from_db()
    assert sr.status == RequestStatus.OFFERED and offer.source == OfferSource.MEMBER
    assert offer.expires_at - offer.created_at == dt.timedelta(hours=48)
    assert Notification.objects.filter(user=first.supporter.user, kind=Kind.OFFER_NEW).exists()
    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert email.to == [first.supporter.user.email]
    html = str(email.alternatives[0][0])
    for part in (str(email.subject), str(email.body), html):
        assert "/supporter/offers/" in part or part == email.subject
        for secret in ("Alice", first.supporter.user.display_name, "Exams", "exams", "Secret", "intern", member.email):
            assert secret not in part, secret


def test_picking_a_peer_who_filled_up_meanwhile_is_refused(member, supporters):
    sr = ask(member)
    first = Suggestion.objects.get(request=sr, rank=1)
    first.supporter.capacity = 1
    first.supporter.save()
    cf.connection(factories.member(), first.supporter.user)
    with pytest.raises(ValidationError, match="can't take on someone new"):
        services.pick(support_request=sr, suggestion=first, actor=member)
    assert not Offer.objects.filter(request=sr).exists()
    sr.refresh_from_db()
    assert sr.status == RequestStatus.OPEN


def test_accepting_starts_a_connection_with_a_review_point(member, supporters, settings, clock):
    settings.ALONGSIDE_REVIEW_AFTER_DAYS = 30
    settings.ALONGSIDE_REVIEW_AFTER_SESSIONS = 4
    sr = ask(member)
    offer = services.pick(support_request=sr, suggestion=Suggestion.objects.get(request=sr, rank=1), actor=member)
    clock.advance(hours=5)
    connection = services.accept_offer(offer=offer, actor=offer.supporter.user)
    sr.refresh_from_db()
    assert sr.status == RequestStatus.MATCHED and sr.matched_at == clock.at
    assert connection.is_active and connection.member == member and connection.supporter == offer.supporter
    assert connection.review_due_at == clock.at + dt.timedelta(days=30) and connection.review_due_sessions == 4
    assert Notification.objects.filter(user=member, kind=Kind.CONNECTION_STARTED).exists()
    with pytest.raises(ValidationError, match="no longer open"):
        services.accept_offer(offer=offer, actor=offer.supporter.user)


def test_only_the_supporter_offered_can_answer(member, supporters):
    sr = ask(member)
    offer = services.pick(support_request=sr, suggestion=Suggestion.objects.get(request=sr, rank=1), actor=member)
    other = supporters[4].user
    with pytest.raises(ValidationError):
        services.accept_offer(offer=offer, actor=other)
    with pytest.raises(ValidationError):
        services.decline_offer(offer=offer, actor=other)
    offer.refresh_from_db()
    assert offer.status == OfferStatus.PENDING


def test_accepting_beyond_capacity_is_refused(member, supporters):
    sr = ask(member)
    offer = services.pick(support_request=sr, suggestion=Suggestion.objects.get(request=sr, rank=1), actor=member)
    profile = offer.supporter
    profile.capacity = 1
    profile.save()
    cf.connection(factories.member(), profile.user)
    with pytest.raises(ValidationError, match="capacity"):
        services.accept_offer(offer=offer, actor=profile.user)
    assert Connection.objects.filter(supporter=profile, status=ConnectionStatus.ACTIVE).count() == 1


def test_declining_offers_the_next_suggestion_automatically(member, supporters):
    sr = ask(member)
    first = Suggestion.objects.get(request=sr, rank=1)
    offer = services.pick(support_request=sr, suggestion=first, actor=member)
    services.decline_offer(offer=offer, actor=first.supporter.user)
    offer.refresh_from_db()
    assert offer.status == OfferStatus.DECLINED
    nxt = Offer.objects.get(request=sr, status=OfferStatus.PENDING)
    assert nxt.supporter_id == Suggestion.objects.get(request=sr, rank=2).supporter_id
    assert nxt.source == OfferSource.AUTOMATIC
    assert Notification.objects.filter(user=member, kind=Kind.OFFER_NEXT).exists()


def test_an_offer_lapses_after_48_hours_and_the_next_suggestion_is_offered(member, supporters, clock):
    sr = ask(member)
    first = Suggestion.objects.get(request=sr, rank=1)
    offer = services.pick(support_request=sr, suggestion=first, actor=member)
    clock.advance(hours=47, minutes=59)
    assert services.lapse_due_offers() == 0
    clock.advance(minutes=1)
    assert services.lapse_due_offers() == 1
    offer.refresh_from_db()
    assert offer.status == OfferStatus.LAPSED and offer.responded_at == clock.at
    nxt = Offer.objects.get(request=sr, status=OfferStatus.PENDING)
    assert nxt.supporter_id == Suggestion.objects.get(request=sr, rank=2).supporter_id
    assert nxt.expires_at == clock.at + dt.timedelta(hours=48)
    assert Notification.objects.filter(user=first.supporter.user, kind=Kind.OFFER_WITHDRAWN).exists()
    # Running again (a second worker, or the next tick) changes nothing.
    assert services.lapse_due_offers() == 0
    assert Offer.objects.filter(request=sr).count() == 2
    with pytest.raises(ValidationError, match="no longer open"):
        services.accept_offer(offer=offer, actor=first.supporter.user)


def test_an_unanswered_offer_past_its_time_cannot_be_accepted_before_the_task_runs(member, supporters, clock):
    sr = ask(member)
    offer = services.pick(support_request=sr, suggestion=Suggestion.objects.get(request=sr, rank=1), actor=member)
    clock.advance(hours=49)
    with pytest.raises(ValidationError, match="lapsed"):
        services.accept_offer(offer=offer, actor=offer.supporter.user)


def test_when_every_suggestion_lapses_the_request_goes_to_the_coordinators_and_the_member_is_told(
    member, english, clock
):
    only = cf.clean_supporter()
    sr = ask(member)
    services.pick(support_request=sr, suggestion=Suggestion.objects.get(request=sr), actor=member)
    clock.advance(hours=49)
    services.lapse_due_offers()
    sr.refresh_from_db()
    assert sr.status == RequestStatus.WAITLIST and sr.waitlist_reason == WaitlistReason.SUGGESTIONS_USED
    assert Notification.objects.filter(user=member, kind=Kind.REQUEST_WAITLISTED).exists()
    assert not Offer.objects.filter(supporter=only, status=OfferStatus.PENDING).exists()


def test_asking_the_coordinators_puts_the_request_on_the_waitlist(member, supporters):
    sr = ask(member)
    services.ask_coordinators(support_request=sr, actor=member)
    assert sr.status == RequestStatus.WAITLIST and sr.waitlist_reason == WaitlistReason.MEMBER_ASKED


def test_withdrawing_withdraws_the_pending_offer_and_tells_the_supporter(member, supporters):
    sr = ask(member)
    offer = services.pick(support_request=sr, suggestion=Suggestion.objects.get(request=sr, rank=1), actor=member)
    services.withdraw_request(support_request=sr, actor=member)
    offer.refresh_from_db()
    assert sr.status == RequestStatus.WITHDRAWN and offer.status == OfferStatus.WITHDRAWN
    assert Notification.objects.filter(user=offer.supporter.user, kind=Kind.OFFER_WITHDRAWN).exists()
    ask(member)  # a new request is allowed now


def test_either_side_can_close_with_a_reason_only_coordinators_see(member, supporter):
    connection = cf.connection(member, supporter)
    services.close_connection(connection=connection, actor=supporter, reason="Felt out of my depth.")
    connection.refresh_from_db()
    assert connection.status == ConnectionStatus.CLOSED and connection.end_kind == EndKind.CLOSED
    assert connection.ended_by == "supporter" and connection.feedback_pending
    assert connection.end_reason == "Felt out of my depth."
    with db_connection.cursor() as cursor:
        cursor.execute("SELECT end_reason FROM connections_connection WHERE id = %s", [connection.pk])
        assert cursor.fetchone()[0].startswith("enc1:")
    event = AuditEvent.objects.get(action="connections.connection.closed")
    assert "depth" not in str(event.details)
    assert Notification.objects.filter(user=member, kind=Kind.CONNECTION_CLOSED).exists()
    with pytest.raises(ValidationError, match="already closed"):
        services.close_connection(connection=connection, actor=member)


def test_an_outsider_cannot_close_someone_elses_connection(member, supporter, outsider):
    connection = cf.connection(member, supporter)
    with pytest.raises(ValidationError):
        services.close_connection(connection=connection, actor=outsider)
    connection.refresh_from_db()
    assert connection.is_active


def test_asking_for_a_different_peer_closes_and_matches_again_without_this_supporter(member, english):
    first = cf.clean_supporter()
    second = cf.clean_supporter()
    connection = cf.connection(member, first.user)
    new = services.ask_for_change(connection=connection, actor=member)
    connection.refresh_from_db()
    assert connection.end_kind == EndKind.CHANGE and connection.end_reason == "Member asked for a change."
    assert new.follows == connection.request and new.status == RequestStatus.OPEN
    assert list(Suggestion.objects.filter(request=new).values_list("supporter_id", flat=True)) == [second.pk]


def test_only_the_member_can_ask_for_a_different_peer(member, supporter):
    connection = cf.connection(member, supporter)
    with pytest.raises(ValidationError):
        services.ask_for_change(connection=connection, actor=supporter)
    connection.refresh_from_db()
    assert connection.is_active


@pytest.mark.parametrize("who_blocks", ["member", "supporter"])
def test_blocking_ends_the_connection_and_the_pair_is_never_matched_again(who_blocks, member, english):
    profile = cf.clean_supporter()
    connection = cf.connection(member, profile.user)
    actor = member if who_blocks == "member" else profile.user
    services.block(connection=connection, actor=actor)
    connection.refresh_from_db()
    assert connection.end_kind == EndKind.BLOCKED and not connection.is_active
    assert Block.objects.filter(blocker=actor).count() == 1
    # Even if ended connections were forgiven, the block alone keeps them apart.
    Connection.objects.filter(pk=connection.pk).delete()
    sr = ask(member)
    assert sr.status == RequestStatus.WAITLIST
    assert not Suggestion.objects.filter(request=sr, supporter=profile).exists()


def test_a_review_point_comes_after_the_configured_time(member, supporter, settings, clock):
    settings.ALONGSIDE_REVIEW_AFTER_DAYS = 91
    connection = cf.connection(member, supporter, review_due_at=clock.at + dt.timedelta(days=91))
    clock.advance(days=90)
    assert not connection.review_is_due()
    assert services.announce_due_reviews() == 0
    with pytest.raises(ValidationError, match="no review point"):
        services.answer_review(connection=connection, actor=member, choice=ReviewChoice.CONTINUE)
    clock.advance(days=1)
    assert connection.review_is_due()
    assert services.announce_due_reviews() == 1
    assert services.announce_due_reviews() == 0  # announced once
    assert Notification.objects.filter(kind=Kind.REVIEW_DUE).count() == 2


def test_a_review_point_comes_after_the_configured_number_of_sessions(member, supporter):
    connection = cf.connection(member, supporter, review_due_sessions=2)
    services.record_session_held(connection=connection)
    assert not connection.review_is_due()
    services.record_session_held(connection=connection)
    assert connection.review_is_due()


def test_when_both_continue_the_next_review_point_is_set(member, supporter, settings, clock):
    settings.ALONGSIDE_REVIEW_AFTER_DAYS = 30
    settings.ALONGSIDE_REVIEW_AFTER_SESSIONS = 6
    connection = cf.connection(member, supporter, review_due_at=clock.at, sessions_held=3)
    services.answer_review(connection=connection, actor=member, choice=ReviewChoice.CONTINUE)
    assert connection.review_is_due()  # still waiting for the supporter
    with pytest.raises(ValidationError, match="already answered"):
        services.answer_review(connection=connection, actor=member, choice=ReviewChoice.CONTINUE)
    services.answer_review(connection=connection, actor=supporter, choice=ReviewChoice.CONTINUE)
    connection.refresh_from_db()
    assert connection.is_active and connection.reviews_held == 1 and not connection.review_is_due()
    assert connection.review_due_at == clock.at + dt.timedelta(days=30)
    assert connection.review_due_sessions == 9


@pytest.mark.parametrize(
    ("choice", "kind"), [(ReviewChoice.CLOSE, EndKind.REVIEW), (ReviewChoice.REFER, EndKind.REFERRED)]
)
def test_closing_or_referring_at_a_review_point_ends_the_connection(choice, kind, member, supporter, clock):
    connection = cf.connection(member, supporter, review_due_at=clock.at)
    services.answer_review(connection=connection, actor=supporter, choice=ReviewChoice.CONTINUE)
    services.answer_review(connection=connection, actor=member, choice=choice)
    connection.refresh_from_db()
    assert not connection.is_active and connection.end_kind == kind and connection.feedback_pending


def _closed(member, supporter):
    connection = cf.connection(member, supporter)
    services.close_connection(connection=connection, actor=member)
    connection.refresh_from_db()
    return connection


def test_feedback_is_stored_with_nothing_that_ties_it_to_a_person(member, supporter, clock):
    connection = _closed(member, supporter)
    before = AuditEvent.objects.count()
    feedback = services.give_feedback(
        connection=connection, actor=member, felt_heard=5, felt_respected=4, would_recommend=3
    )
    assert feedback is not None
    row = Feedback.objects.get()
    assert (row.felt_heard, row.felt_respected, row.would_recommend) == (5, 4, 3)
    assert row.month == clock.at.date().replace(day=1)
    # No relation to anyone, no time finer than the month, a random key, and no audit event naming the member.
    assert not [f for f in Feedback._meta.get_fields() if f.is_relation]
    assert {f.get_internal_type() for f in Feedback._meta.get_fields()} == {
        "UUIDField",
        "DateField",
        "PositiveSmallIntegerField",
    }
    assert AuditEvent.objects.count() == before
    with pytest.raises(ValidationError, match="no feedback"):
        services.give_feedback(connection=connection, actor=member, felt_heard=1, felt_respected=1, would_recommend=1)
    assert Feedback.objects.count() == 1


def test_skipping_feedback_leaves_the_connection_exactly_as_answering_does(member, supporter, other_member):
    answered = _closed(member, supporter)
    skipped = _closed(other_member, supporter)
    services.give_feedback(connection=answered, actor=member, felt_heard=5, felt_respected=5, would_recommend=5)
    services.give_feedback(
        connection=skipped, actor=other_member, felt_heard=None, felt_respected=None, would_recommend=None, skip=True
    )
    fields = [
        f.name
        for f in Connection._meta.get_fields()
        if f.concrete and f.name not in {"id", "member", "request", "offer", "started_at", "ended_at", "review_due_at"}
    ]
    answered.refresh_from_db()
    skipped.refresh_from_db()
    assert {n: getattr(answered, n) for n in fields} == {n: getattr(skipped, n) for n in fields}
    assert Feedback.objects.count() == 1


def test_feedback_answers_must_be_one_to_five_and_only_the_member_gives_them(member, supporter):
    connection = _closed(member, supporter)
    with pytest.raises(ValidationError):
        services.give_feedback(connection=connection, actor=member, felt_heard=6, felt_respected=1, would_recommend=1)
    with pytest.raises(ValidationError):
        services.give_feedback(
            connection=connection, actor=supporter, felt_heard=3, felt_respected=3, would_recommend=3
        )
    assert not Feedback.objects.exists()


def test_a_coordinator_matches_a_waiting_request_by_hand_with_a_reason(member, coordinator, english):
    sr = ask(member)  # nobody free yet: waitlisted
    profile = cf.clean_supporter()
    with pytest.raises(ValidationError, match="reason"):
        services.offer_from_coordinator(support_request=sr, supporter=profile, actor=coordinator)
    offer = services.offer_from_coordinator(
        support_request=sr, supporter=profile, actor=coordinator, reason="Known to suit."
    )
    assert offer.source == OfferSource.COORDINATOR and offer.made_by == coordinator
    assert offer.coordinator_reason == "Known to suit." and sr.status == RequestStatus.OFFERED
    assert Notification.objects.filter(user=member, kind=Kind.OFFER_FROM_COORDINATORS).exists()
    assert Notification.objects.filter(user=profile.user, kind=Kind.OFFER_NEW).exists()
    event = AuditEvent.objects.get(action="connections.offer.sent")
    assert event.actor_id == coordinator.pk and "suit" not in str(event.details)


def test_coordinators_cannot_break_a_hard_constraint_or_overfill(member, other_member, coordinator, english):
    shared = factories.WorkplaceFactory()
    cf.set_person(member, workplaces=[shared])
    cf.set_person(other_member, workplaces=[shared])
    colleague = cf.clean_supporter()
    cf.set_person(colleague.user, workplaces=[shared])
    sr = ask(member)
    with pytest.raises(ValidationError, match="hard constraint"):
        services.offer_from_coordinator(
            support_request=sr, supporter=colleague, actor=coordinator, source=OfferSource.BATCH
        )
    one_place = cf.clean_supporter(capacity=1)
    services.offer_from_coordinator(support_request=sr, supporter=one_place, actor=coordinator, source="batch")
    other = ask(other_member)
    assert other.status == RequestStatus.WAITLIST  # the pending offer takes the only place
    with pytest.raises(ValidationError, match="capacity"):
        services.offer_from_coordinator(support_request=other, supporter=one_place, actor=coordinator, source="batch")


def test_only_coordinators_send_coordinator_offers(member, supporter, english):
    sr = ask(member)
    with pytest.raises(ValidationError):
        services.offer_from_coordinator(
            support_request=sr, supporter=cf.clean_supporter(), actor=supporter, reason="Because"
        )
    assert not Offer.objects.exists()
