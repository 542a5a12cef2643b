"""The group core: joining behind the agreement and the capacity, the thread following the membership, and the
thread's own rules (muted, paused) applied where messages are stored."""

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404

from alongside.conversations.access import get_thread_for_member
from alongside.conversations.services import Pending, store_messages
from alongside.groups import services
from alongside.groups.models import GroupKind, JoinPolicy, MembershipState
from tests import factories

pytestmark = pytest.mark.django_db


def _circle(**kwargs):
    facilitator = factories.supporter()
    group = services.create_group(
        kind=GroupKind.CIRCLE,
        name="Interns  2027",
        created_by=factories.coordinator(),
        facilitators=[facilitator],
        **kwargs,
    )
    return group, facilitator


def test_joining_needs_the_agreement_and_a_place_and_the_thread_follows():
    group, _facilitator = _circle(capacity=2, join_policy=JoinPolicy.OPEN)
    assert group.name == "Interns 2027"
    first, second, third = factories.member(), factories.member(), factories.member()
    with pytest.raises(ValidationError, match="agreement"):
        services.join(group=group, user=first, accepted_agreement=False)
    assert not group.memberships.filter(user=first).exists()
    services.join(group=group, user=first, accepted_agreement=True)
    again = services.join(group=group, user=first, accepted_agreement=True)
    assert again.state == MembershipState.ACTIVE
    services.join(group=group, user=second, accepted_agreement=True)
    with pytest.raises(ValidationError, match="full"):
        services.join(group=group, user=third, accepted_agreement=True)
    assert get_thread_for_member(first, group.thread_id, via="test").pk == group.thread_id
    services.leave(group=group, user=first)
    with pytest.raises(Http404):
        get_thread_for_member(first, group.thread_id, via="test")
    services.join(group=group, user=third, accepted_agreement=True)  # the place freed


def test_a_request_waits_for_approval_and_a_removed_member_cannot_return():
    group, facilitator = _circle()
    person = factories.member()
    membership = services.join(group=group, user=person, accepted_agreement=True)
    assert membership.state == MembershipState.REQUESTED
    with pytest.raises(Http404):
        get_thread_for_member(person, group.thread_id, via="test")
    services.approve(membership=membership, by=facilitator)
    assert get_thread_for_member(person, group.thread_id, via="test")
    services.remove(membership=membership, by=facilitator)
    with pytest.raises(Http404):
        get_thread_for_member(person, group.thread_id, via="test")
    with pytest.raises(ValidationError, match="removed"):
        services.join(group=group, user=person, accepted_agreement=True)


def test_muted_members_and_members_of_a_paused_thread_cannot_post_but_facilitators_can():
    group, facilitator = _circle(join_policy=JoinPolicy.OPEN)
    person, other = factories.member(), factories.member()
    for someone in (person, other):
        services.join(group=group, user=someone, accepted_agreement=True)
    membership = group.memberships.get(user=person)
    services.set_muted(membership=membership, muted=True, by=facilitator)
    t = group.thread_id
    results = store_messages([Pending(t, person.pk, "k1", "hello"), Pending(t, other.pk, "k2", "hi")])
    assert [r.error for r in results] == ["muted", ""]
    services.set_paused(group=group, paused=True, by=facilitator)
    results = store_messages([Pending(t, other.pk, "k3", "hi"), Pending(t, facilitator.pk, "k4", "a pause")])
    assert [r.error for r in results] == ["paused", ""]


def test_an_ended_drop_in_takes_no_one_and_its_thread_closes():
    group = services.create_group(
        kind=GroupKind.DROP_IN, name="Friday drop-in", created_by=None, facilitators=[factories.supporter()]
    )
    assert services.end_group(group=group)
    assert not services.end_group(group=group)
    group.thread.refresh_from_db()
    assert group.thread.closed_at is not None
    with pytest.raises(ValidationError, match="ended"):
        services.join(group=group, user=factories.member(), accepted_agreement=True)
