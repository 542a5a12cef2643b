"""Every URL pattern × every role, with the expected status in one table.

A new URL without a row here fails ``test_every_url_has_a_row``. Rows name the URL, how
to build its arguments from the cast, and the status each role gets on GET:
anonymous visitors, a member, a supporter, a coordinator, and an outsider (a member
with no part in the object the URL is about).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from alongside.connections import batch as matching_batch
from alongside.connections.tests import factories as connection_factories
from alongside.lib.time import now
from tests.factories import ResourceFactory, WorkplaceFactory

# Third-party URL sets we don't own; allauth's pages are exercised by their own tests and ours.
SKIP_NAMESPACES = {"admin"}
SKIP_PREFIXES = ("account_", "mfa_", "socialaccount_", "headless")

LOGIN = 302  # anonymous visitors are sent to sign in


@dataclass(frozen=True)
class Row:
    anon: int
    member: int
    supporter: int
    coordinator: int
    outsider: int | None = None  # defaults to the member's status
    kwargs: Callable[[dict[str, Any]], dict[str, Any]] = field(default=lambda cast: {})


PUBLIC = Row(anon=200, member=200, supporter=200, coordinator=200)
SIGNED_IN = Row(anon=LOGIN, member=200, supporter=200, coordinator=200)
COORDINATOR = Row(anon=LOGIN, member=403, supporter=403, coordinator=200)
POST_ONLY = Row(anon=LOGIN, member=405, supporter=405, coordinator=405)
COORDINATOR_POST_ONLY = Row(anon=LOGIN, member=403, supporter=403, coordinator=405)


def _a_person(cast: dict[str, Any]) -> dict[str, Any]:
    return {"pk": cast["member"].pk}


def _a_resource(cast: dict[str, Any]) -> dict[str, Any]:
    return {"pk": ResourceFactory().pk}


def _a_workplace(cast: dict[str, Any]) -> dict[str, Any]:
    return {"pk": WorkplaceFactory().pk}


def _a_supporter_profile(cast: dict[str, Any]) -> dict[str, Any]:
    return {"pk": connection_factories.supporter_profile(cast["supporter"]).pk}


def _the_members_request(cast: dict[str, Any]) -> dict[str, Any]:
    return {"pk": connection_factories.support_request(cast["member"]).pk}


def _an_offer_to_the_supporter(cast: dict[str, Any]) -> dict[str, Any]:
    profile = connection_factories.supporter_profile(cast["supporter"])
    return {"pk": connection_factories.offer(connection_factories.support_request(cast["member"]), profile).pk}


def _a_batch_preview(cast: dict[str, Any]) -> dict[str, Any]:
    return {"key": matching_batch.preview_batch(actor=cast["coordinator"]).key}


def _a_waitlisted_request(cast: dict[str, Any]) -> dict[str, Any]:
    made = connection_factories.support_request(cast["member"], status="waitlist", waitlisted_at=now())
    return {"pk": made.pk}


def _their_connection(cast: dict[str, Any]) -> dict[str, Any]:
    """An active connection between the cast's member and supporter; the coordinator is an outsider to it."""
    return {"pk": connection_factories.connection(cast["member"], cast["supporter"]).pk}


def _their_session(cast: dict[str, Any]) -> dict[str, Any]:
    """A time the cast's member proposed in their connection with the cast's supporter."""
    import datetime as dt

    from alongside.lib.time import now as _now
    from alongside.meetings.models import Session

    connection = connection_factories.connection(cast["member"], cast["supporter"])
    made = Session.objects.create(
        connection=connection,
        proposed_by=cast["member"],
        starts_at=_now() + dt.timedelta(days=2),
        medium="chat",
        proposed_in="Australia/Melbourne",
    )
    return {"pk": made.pk}


def _their_thread(cast: dict[str, Any]) -> dict[str, Any]:
    """The thread of the cast's member and supporter's connection; the coordinator is an outsider to it."""
    from alongside.conversations.services import get_or_create_thread_for_connection

    made = get_or_create_thread_for_connection(
        connection=connection_factories.connection(cast["member"], cast["supporter"])
    )
    return {"pk": made.pk}


def _their_call_thread(cast: dict[str, Any]) -> dict[str, Any]:
    """The thread of the cast's member and supporter's active connection, where the two of them can call."""
    from alongside.conversations.services import get_or_create_thread_for_connection

    connection = connection_factories.connection(cast["member"], cast["supporter"])
    return {"thread_id": get_or_create_thread_for_connection(connection=connection).pk}


def _a_calendar_token(cast: dict[str, Any]) -> dict[str, Any]:
    from alongside.meetings.calendar import reset_feed

    return {"token": reset_feed(user=cast["member"])}


# A member's own request: the member sees it; everyone else, coordinators included, gets a 404.
MEMBERS_OWN = Row(anon=LOGIN, member=200, supporter=404, coordinator=404, outsider=404)
# A connection: both participants see it; everyone else gets a 404.
PARTICIPANTS = Row(anon=LOGIN, member=200, supporter=200, coordinator=404, outsider=404)
SUPPORTER = Row(anon=LOGIN, member=403, supporter=200, coordinator=403)
SUPPORTER_POST_ONLY = Row(anon=LOGIN, member=403, supporter=405, coordinator=403)


MATRIX: dict[str, Row] = {
    "home": PUBLIC,
    "about": PUBLIC,
    "healthz": PUBLIC,
    "accounts:profile": SIGNED_IN,
    "accounts:setup": Row(anon=LOGIN, member=302, supporter=302, coordinator=302),  # done already: on to the profile
    "accounts:delete": SIGNED_IN,
    "accounts:export": SIGNED_IN,
    "library:index": SIGNED_IN,
    "notifications:index": SIGNED_IN,
    "notifications:read_all": POST_ONLY,
    "console:index": COORDINATOR,
    "console:people": COORDINATOR,
    "console:person": replace(COORDINATOR, kwargs=_a_person),
    "console:person_role": replace(COORDINATOR_POST_ONLY, kwargs=_a_person),
    "console:person_active": replace(COORDINATOR_POST_ONLY, kwargs=_a_person),
    "console:resources": COORDINATOR,
    "console:resource_add": COORDINATOR,
    "console:resource_edit": replace(COORDINATOR, kwargs=_a_resource),
    "console:resource_delete": replace(COORDINATOR, kwargs=_a_resource),
    "console:workplaces": COORDINATOR,
    "console:workplace_add": COORDINATOR,
    "console:workplace_bulk_add": COORDINATOR,
    "console:workplace_edit": replace(COORDINATOR, kwargs=_a_workplace),
    "console:workplace_active": replace(COORDINATOR_POST_ONLY, kwargs=_a_workplace),
    "console:settings": COORDINATOR,
    "console:waitlist": COORDINATOR,
    "console:matching_weights": COORDINATOR,
    "console:batch_preview": COORDINATOR_POST_ONLY,
    "console:batch_detail": replace(COORDINATOR, kwargs=_a_batch_preview),
    "console:batch_apply": replace(COORDINATOR_POST_ONLY, kwargs=_a_batch_preview),
    "console:request_match": replace(COORDINATOR, kwargs=_a_waitlisted_request),
    "supporters:profile": SUPPORTER,
    "console:supporters": COORDINATOR,
    "console:supporter": replace(COORDINATOR, kwargs=_a_supporter_profile),
    "console:supporter_pause": replace(COORDINATOR_POST_ONLY, kwargs=_a_supporter_profile),
    "connections:request_new": SIGNED_IN,
    "connections:request_detail": replace(MEMBERS_OWN, kwargs=_the_members_request),
    "connections:request_pick": replace(POST_ONLY, kwargs=_the_members_request),
    "connections:request_more": replace(POST_ONLY, kwargs=_the_members_request),
    "connections:request_coordinators": replace(POST_ONLY, kwargs=_the_members_request),
    "connections:request_withdraw": replace(POST_ONLY, kwargs=_the_members_request),
    "connections:offers": SUPPORTER,
    "connections:offer_accept": replace(SUPPORTER_POST_ONLY, kwargs=_an_offer_to_the_supporter),
    "connections:offer_decline": replace(SUPPORTER_POST_ONLY, kwargs=_an_offer_to_the_supporter),
    "connections:connection_detail": replace(PARTICIPANTS, kwargs=_their_connection),
    "connections:connection_close": replace(PARTICIPANTS, kwargs=_their_connection),
    "connections:connection_block": replace(PARTICIPANTS, kwargs=_their_connection),
    # Only the member can ask for a different peer; to the supporter the page does not exist.
    "connections:connection_change": replace(MEMBERS_OWN, kwargs=_their_connection),
    # No review point is due yet, so participants are sent back to the connection.
    "connections:connection_review": replace(PARTICIPANTS, member=302, supporter=302, kwargs=_their_connection),
    # Still active, so there is no feedback to give yet: the member is sent home.
    "connections:connection_feedback": replace(MEMBERS_OWN, member=302, kwargs=_their_connection),
    "meetings:session_list": replace(PARTICIPANTS, kwargs=_their_connection),
    "meetings:session_propose": replace(PARTICIPANTS, kwargs=_their_connection),
    "meetings:session_detail": replace(PARTICIPANTS, kwargs=_their_session),
    # Only the side asked can propose another time: the proposer (the member) is sent back to the session.
    "meetings:session_counter": replace(PARTICIPANTS, member=302, kwargs=_their_session),
    "meetings:session_agree": replace(POST_ONLY, kwargs=_their_session),
    "meetings:session_cancel": replace(POST_ONLY, kwargs=_their_session),
    "meetings:session_held": replace(POST_ONLY, kwargs=_their_session),
    "meetings:calendar_settings": SIGNED_IN,
    # The feed's URL is its credential: no sign-in, the same for everyone who holds it.
    "meetings:calendar_feed": replace(PUBLIC, kwargs=_a_calendar_token),
    "calls:call": replace(PARTICIPANTS, kwargs=_their_call_thread),
    "conversations:thread": replace(PARTICIPANTS, kwargs=_their_thread),
    # Participants are sent on to the connection's thread (made on first use).
    "conversations:connection_thread": replace(PARTICIPANTS, member=302, supporter=302, kwargs=_their_connection),
}


def _walk(resolver: URLResolver, namespace: str = "") -> list[str]:
    names: list[str] = []
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            ns = entry.namespace or ""
            if ns in SKIP_NAMESPACES:
                continue
            names += _walk(entry, f"{namespace}{ns}:" if ns else namespace)
        elif isinstance(entry, URLPattern) and entry.name and not entry.name.startswith(SKIP_PREFIXES):
            names.append(f"{namespace}{entry.name}")
    return names


def test_every_url_has_a_row():
    missing = sorted(set(_walk(get_resolver())) - set(MATRIX))
    assert not missing, f"add these URLs to the permission matrix: {missing}"


@pytest.fixture
def cast(member, supporter, coordinator, outsider) -> dict[str, Any]:
    return {"member": member, "supporter": supporter, "coordinator": coordinator, "outsider": outsider}


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(MATRIX))
def test_each_role_gets_the_expected_status(name: str, cast: dict[str, Any]) -> None:
    row = MATRIX[name]
    url = reverse(name, kwargs=row.kwargs(cast))
    expected = {
        "anon": row.anon,
        "member": row.member,
        "supporter": row.supporter,
        "coordinator": row.coordinator,
        "outsider": row.member if row.outsider is None else row.outsider,
    }
    got = {}
    for role, _status in expected.items():
        client = Client()
        if role != "anon":
            client.force_login(cast[role])
        got[role] = client.get(url).status_code
    assert got == expected, f"{name} ({url})"
