"""Every URL pattern and every websocket route × every role, with the expected answer in one table.

Pages: each row gives, for each role, the status of a GET and of a POST carrying a valid CSRF token and an empty
body. Sockets: each row gives, for each visitor, whether the socket is accepted or the code it is closed with.
A URL or websocket route without a row fails ``test_every_url_has_a_row`` / ``test_every_socket_route_has_a_row``.
Every refusal (a 403 or 404 page, a socket closed 4403 or 4404) must also have left a denied AuditEvent, and a refused
page must name nobody of the cast but the visitor (no display name, no email address).

The roles: anonymous visitors; the cast's member and supporter (the two people of every object a row is about);
a coordinator (an outsider to members' requests, connections and threads: coordinators never see their content);
another member and another supporter, party to nothing; the cast's supporter after a coordinator removed their
supporter role, whose side of the connection is closed to them like an outsider's; and the cast's supporter before
they enrol MFA (their authenticator removed), who is sent to enrol from every page that is not public.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

import pytest
from allauth.mfa.models import Authenticator
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from alongside.accounts.models import User
from alongside.asgi import application
from alongside.audit.models import AuditEvent, Outcome
from alongside.connections import batch as matching_batch
from alongside.connections.services import close_connection
from alongside.connections.tests import factories as connection_factories
from alongside.conversations.services import get_or_create_thread_for_connection
from alongside.groups import debriefs
from alongside.groups import services as group_services
from alongside.groups.models import Debrief, Group, GroupKind, JoinPolicy, Meeting
from alongside.lib.time import now
from alongside.meetings.calendar import reset_feed
from alongside.meetings.models import Session
from alongside.notifications.devices import endpoint_digest
from alongside.notifications.models import PushSubscription
from alongside.phoneline.models import PhoneCall
from alongside.phoneline.services import request_callback
from alongside.roster.models import ContactFormat, ContactRecord, ShiftPattern, ShiftPlace
from alongside.routing import websocket_urlpatterns
from alongside.safety.models import Concern, DebriefRequest, Level, Report, Source
from alongside.supporters import applications as supporter_applications
from alongside.supporters.models import Application, TrainingModule, TrainingRecord
from alongside.talknow import services as talknow_services
from alongside.talknow.models import TalkNowOffer, TalkNowRequest
from tests import factories

# Third-party URL sets we don't own; allauth's pages are exercised by their own tests and ours.
SKIP_NAMESPACES = {"admin"}
SKIP_PREFIXES = ("account_", "mfa_", "socialaccount_", "headless")

Cast = dict[str, Any]
Builder = Callable[[Cast], dict[str, Any]]

# The columns of the page table, in order. "former" is the cast's supporter with the supporter role removed,
# "unenrolled" the cast's supporter with their authenticator removed.
ROLES = ("anon", "member", "supporter", "coordinator", "other_member", "other_supporter", "former", "unenrolled")
LOGIN = "log"  # a 302 to the sign-in page
ENROL = "mfa"  # a 302 to MFA enrolment (RoleSecurityMiddleware)


# --- what each row is about, made from the cast --------------------------------------------------------------------


def _person(cast: Cast) -> dict[str, Any]:
    return {"pk": cast["member"].pk}


def _resource(cast: Cast) -> dict[str, Any]:
    return {"pk": factories.ResourceFactory().pk}


def _workplace(cast: Cast) -> dict[str, Any]:
    return {"pk": factories.WorkplaceFactory().pk}


def _profile(cast: Cast) -> dict[str, Any]:
    return {"pk": connection_factories.supporter_profile(cast["supporter"]).pk}


def _request(cast: Cast) -> dict[str, Any]:
    """The cast's member's open request for a peer."""
    return {"pk": connection_factories.support_request(cast["member"]).pk}


def _offer(cast: Cast) -> dict[str, Any]:
    """An offer of the member's request to the cast's supporter, waiting for their answer."""
    profile = connection_factories.supporter_profile(cast["supporter"])
    return {"pk": connection_factories.offer(connection_factories.support_request(cast["member"]), profile).pk}


def _batch(cast: Cast) -> dict[str, Any]:
    return {"key": matching_batch.preview_batch(actor=cast["coordinator"]).key}


def _waitlisted(cast: Cast) -> dict[str, Any]:
    made = connection_factories.support_request(cast["member"], status="waitlist", waitlisted_at=now())
    return {"pk": made.pk}


def _connection(cast: Cast) -> dict[str, Any]:
    """An active connection between the cast's member and supporter."""
    return {"pk": connection_factories.connection(cast["member"], cast["supporter"]).pk}


def _session(cast: Cast) -> dict[str, Any]:
    """A time the cast's member proposed in their connection with the cast's supporter."""
    made = Session.objects.create(
        connection=connection_factories.connection(cast["member"], cast["supporter"]),
        proposed_by=cast["member"],
        starts_at=now() + dt.timedelta(days=2),
        medium="chat",
        proposed_in="Australia/Melbourne",
    )
    return {"pk": made.pk}


def _thread(cast: Cast) -> dict[str, Any]:
    """The thread of the cast's member and supporter's active connection."""
    connection = connection_factories.connection(cast["member"], cast["supporter"])
    return {"pk": get_or_create_thread_for_connection(connection=connection).pk}


def _call_thread(cast: Cast) -> dict[str, Any]:
    return {"thread_id": _thread(cast)["pk"]}


def _device(cast: Cast) -> dict[str, Any]:
    """A device the cast's member gets alerts on."""
    made = PushSubscription.objects.create(
        user=cast["member"],
        endpoint="https://fcm.googleapis.com/fcm/send/permission-matrix",
        endpoint_digest=endpoint_digest("https://fcm.googleapis.com/fcm/send/permission-matrix"),
        p256dh="B" + "A" * 86,
        auth="A" * 22,
        label="Chrome on Android",
    )
    return {"pk": made.pk}


# --- talk now (issue 10's "Talk now in the app") ---


def _group(cast: Cast) -> dict[str, Any]:
    """A peer circle the cast's supporter facilitates and the cast's member belongs to."""
    made = group_services.create_group(
        kind=GroupKind.CIRCLE,
        name="Interns' circle",
        created_by=cast["coordinator"],
        facilitators=[cast["supporter"]],
        join_policy=JoinPolicy.OPEN,
    )
    group_services.join(group=made, user=cast["member"], accepted_agreement=True)
    return {"pk": made.pk, "thread": made.thread_id}


def _group_page(cast: Cast) -> dict[str, Any]:
    return {"pk": _group(cast)["pk"]}


def _group_member(cast: Cast) -> dict[str, Any]:
    """The cast's member's membership of the circle the cast's supporter facilitates."""
    made = Group.objects.get(pk=_group(cast)["pk"])
    return {"pk": made.pk, "member": made.memberships.get(user=cast["member"]).pk}


def _group_request(cast: Cast) -> dict[str, Any]:
    """The cast's member asking to join a circle by request that the cast's supporter facilitates."""
    made = group_services.create_group(
        kind=GroupKind.CIRCLE, name="Exams circle", created_by=cast["coordinator"], facilitators=[cast["supporter"]]
    )
    asked = group_services.join(group=made, user=cast["member"], accepted_agreement=True)
    return {"pk": made.pk, "member": asked.pk}


def _group_facilitator(cast: Cast) -> dict[str, Any]:
    """The cast's supporter's place as the circle's facilitator."""
    made = Group.objects.get(pk=_group(cast)["pk"])
    return {"pk": made.pk, "member": made.memberships.get(user=cast["supporter"]).pk}


def _drop_in(cast: Cast) -> dict[str, Any]:
    """A drop-in on now that the cast's supporter facilitates and the cast's member joined."""
    made = group_services.create_group(
        kind=GroupKind.DROP_IN,
        name="Night drop-in",
        created_by=cast["coordinator"],
        facilitators=[cast["supporter"]],
        starts_at=now() - dt.timedelta(minutes=5),
        ends_at=now() + dt.timedelta(hours=1),
    )
    group_services.join(group=made, user=cast["member"], accepted_agreement=True)
    return {"pk": made.pk}


def _group_meeting(cast: Cast) -> dict[str, Any]:
    """A meeting of the cast's group, tomorrow (its room is closed now)."""
    made = _group(cast)
    meeting = Meeting.objects.create(
        group_id=made["pk"], starts_at=now() + dt.timedelta(days=1), minutes=60, created_by=cast["supporter"]
    )
    return {"pk": made["pk"], "meeting_pk": meeting.pk}


def _debrief_group(cast: Cast) -> Debrief:
    """A hot debrief the cast's supporter (made a debrief lead) started, which the cast's member joined."""
    User.objects.filter(pk=cast["supporter"].pk).update(is_debrief_lead=True)
    cast["supporter"].is_debrief_lead = True
    made = debriefs.start_debrief(by=cast["supporter"], mode="hot", team="ED resus team", start_key="matrix")
    debriefs.join_debrief(debrief=made, user=cast["member"], accepted_agreement=True)
    return made


def _debrief_page(cast: Cast) -> dict[str, Any]:
    return {"pk": _debrief_group(cast).group_id}


def _debrief_link(cast: Cast) -> dict[str, Any]:
    return {"token": debriefs.invite_token(_debrief_group(cast))}


def _talknow_request(cast: Cast) -> TalkNowRequest:
    """The cast's member's waiting talk-now request, offered to the cast's supporter."""
    made = TalkNowRequest.objects.create(
        member=cast["member"], medium="chat", next_step_at=now() + dt.timedelta(minutes=3)
    )
    TalkNowOffer.objects.create(request=made, supporter=cast["supporter"])
    return made


def _talknow_waiting(cast: Cast) -> dict[str, Any]:
    return {"pk": _talknow_request(cast).pk}


def _talknow_offer(cast: Cast) -> dict[str, Any]:
    return {"pk": TalkNowOffer.objects.get(request=_talknow_request(cast)).pk}


def _talknow_connected_request(cast: Cast) -> TalkNowRequest:
    """Accepted by the cast's supporter: the two of them are in its conversation."""
    made = _talknow_request(cast)
    talknow_services.accept(offer=TalkNowOffer.objects.get(request=made), supporter=cast["supporter"])
    made.refresh_from_db()
    return made


def _talknow_connected(cast: Cast) -> dict[str, Any]:
    return {"pk": _talknow_connected_request(cast).pk}


def _talknow_ended(cast: Cast) -> dict[str, Any]:
    made = _talknow_connected_request(cast)
    talknow_services.end(req=made, user=cast["member"])
    return {"pk": made.pk}


def _feed_token(cast: Cast) -> dict[str, Any]:
    return {"token": reset_feed(user=cast["member"])}


# roster (issue 10's roster part): shifts, places and contact records


def _own_place(cast: Cast) -> dict[str, Any]:
    """The cast's supporter's place on a shift tomorrow."""
    shift = factories.shift(starts_at=now() + dt.timedelta(days=1), primary=[cast["supporter"]])
    return {"pk": shift.places.get().pk}


def _offered_place(cast: Cast) -> dict[str, Any]:
    """A third supporter's place on a shift tomorrow, offered for cover: any supporter may take it."""
    holder = factories.supporter()
    place = factories.shift(starts_at=now() + dt.timedelta(days=1), primary=[holder]).places.get()
    ShiftPlace.objects.filter(pk=place.pk).update(cover_wanted_at=now())
    return {"pk": place.pk}


def _contact_record(cast: Cast) -> dict[str, Any]:
    """An ended contact of the cast's supporter, waiting for its record."""
    made = ContactRecord.objects.create(
        supporter=cast["supporter"], format=ContactFormat.PHONE, started_at=now(), ended_at=now(), minutes=1
    )
    return {"pk": made.pk}


# --- the phone line (issue 10's call-backs and phone line) ---------------------------------------------------------


def _application(cast: Cast) -> dict[str, Any]:
    """The cast's member's application to become a supporter."""
    return {"pk": _member_application(cast).pk}


def _module(cast: Cast) -> dict[str, Any]:
    return {"pk": TrainingModule.objects.create(title="Crisis support", required=True).pk}


def _training_record(cast: Cast) -> dict[str, Any]:
    """A completion the cast's supporter recorded, waiting to be confirmed."""
    module = TrainingModule.objects.create(title="Crisis support", required=True)
    return {"pk": TrainingRecord.objects.create(user=cast["supporter"], module=module, completed_on=now().date()).pk}


def _member_application(cast: Cast) -> Application:
    return supporter_applications.submit_application(
        user=cast["member"],
        full_name="Dr Casey Rowe",
        registration_number="MED0001234567",
        career_stage="registrar",
        motivation="To give back.",
        referees=[
            supporter_applications.RefereeIn("Dr Ada Lane", "ada@example.org", "consultant"),
            supporter_applications.RefereeIn("Dr Ben Ito", "ben@example.org", "director of training"),
        ],
    )


def _referee_token(cast: Cast) -> dict[str, Any]:
    """A referee's private link for the cast's member's application."""
    link = supporter_applications.send_referee_forms(application=_member_application(cast))[0]
    return {"token": link.rstrip("/").rsplit("/", 1)[1]}


def _callback_token(cast: Cast) -> dict[str, Any]:
    """A call-back someone asked for; its private link's token is the credential."""
    _made, token = request_callback(
        name="Sam", phone="0412 345 678", window_starts_at=now(), window_ends_at=now() + dt.timedelta(hours=1)
    )
    return {"token": token}


def _callback(cast: Cast) -> dict[str, Any]:
    """A call-back waiting in a window the cast's supporter is on shift for (offered to them, to nobody else here)."""
    factories.shift(primary=[cast["supporter"]])
    made, _token = request_callback(
        name="Sam", phone="0412 345 678", window_starts_at=now(), window_ends_at=now() + dt.timedelta(hours=1)
    )
    return {"pk": made.pk}


def _pattern(cast: Cast) -> dict[str, Any]:
    made = ShiftPattern.objects.create(weekday=1, starts=dt.time(18), ends=dt.time(22), valid_from=dt.date(2020, 1, 1))
    return {"pk": made.pk}


def _dated_shift(cast: Cast) -> dict[str, Any]:
    return {"pk": factories.shift(starts_at=now() + dt.timedelta(days=1), primary=[cast["supporter"]]).pk}


def _phone_session(cast: Cast) -> dict[str, Any]:
    """An agreed session by phone of the cast's member and supporter, on now."""
    made = Session.objects.create(
        connection=connection_factories.connection(cast["member"], cast["supporter"]),
        proposed_by=cast["member"],
        starts_at=now(),
        medium="phone",
        proposed_in="Australia/Melbourne",
        status="agreed",
        agreed_at=now(),
    )
    return {"pk": made.pk}


def _phone_call(cast: Cast) -> dict[str, Any]:
    return {"pk": PhoneCall.objects.create(call_sid="CA-matrix", kind="inbound").pk}


def _phone_call_wave(cast: Cast) -> dict[str, Any]:
    return {**_phone_call(cast), "wave": 0}


def _phone_call_screen(cast: Cast) -> dict[str, Any]:
    return {**_phone_call(cast), "supporter_id": cast["supporter"].pk}


# --- safety (issue 11: concerns, raising, help now, debriefs, reports) ---


def _concern(cast: Cast) -> dict[str, Any]:
    """An open imminent-risk concern about the cast's member, raised by the cast's supporter, not yet acknowledged."""
    made = Concern.objects.create(
        level=Level.IMMINENT, source=Source.THREAD, raised_by=cast["supporter"], member=cast["member"]
    )
    return {"pk": made.pk}


def _handled_concern(cast: Cast) -> dict[str, Any]:
    """The same, acknowledged by the cast's coordinator: theirs to break the glass on."""
    pk = _concern(cast)["pk"]
    Concern.objects.filter(pk=pk).update(handler=cast["coordinator"], acknowledged_at=now())
    return {"pk": pk}


def _debrief(cast: Cast) -> dict[str, Any]:
    """The cast's supporter's open debrief request."""
    return {"pk": DebriefRequest.objects.create(requested_by=cast["supporter"]).pk}


def _report(cast: Cast) -> dict[str, Any]:
    """The cast's member's report about the cast's supporter, in their connection."""
    connection = connection_factories.connection(cast["member"], cast["supporter"])
    made = Report.objects.create(
        reporter=cast["member"], about=cast["supporter"], connection=connection, category="other", text="Matrix."
    )
    return {"pk": made.pk}


# --- pages ---------------------------------------------------------------------------------------------------------
#
# One row per URL name: "GET/POST" for each role, in the order of ROLES, then the URL name and what it is about.
# A POST carries a valid CSRF token and an empty body. An outsider's 404 comes before any form is read; a method a
# view does not take is 405 for everyone signed in, before any object is looked at (a 405 says nothing about what
# exists). Non-obvious answers have a comment.
#
# The URL name is one word on purpose: when a view moves app (for example matching:waitlist to console:waitlist),
# rename it here and nothing else changes.

PAGES: list[tuple[str, str] | tuple[str, str, Builder]] = [
    # anon    member  supporter coord.  o.member o.supp. former  no MFA  URL name
    # service: public pages; POST renders them again, except the installable files and the offline page (GET only)
    ("200/200 200/200 200/200 200/200 200/200 200/200 200/200 200/200", "home"),
    ("200/200 200/200 200/200 200/200 200/200 200/200 200/200 200/200", "about"),
    ("200/200 200/200 200/200 200/200 200/200 200/200 200/200 200/200", "healthz"),
    ("200/405 200/405 200/405 200/405 200/405 200/405 200/405 200/405", "manifest"),
    ("200/405 200/405 200/405 200/405 200/405 200/405 200/405 200/405", "service_worker"),
    ("200/405 200/405 200/405 200/405 200/405 200/405 200/405 200/405", "offline"),
    # accounts: one's own profile and data; an empty POST redraws the form with its errors
    ("log/log 200/200 200/200 200/200 200/200 200/200 200/200 mfa/mfa", "accounts:profile"),
    # Set up already: on to the profile.
    ("log/log 302/302 302/302 302/302 302/302 302/302 302/302 mfa/mfa", "accounts:setup"),
    # privacy (issue 11, data rights): one's own data only, so no object and no outsider; an empty POST to delete
    # redraws the form with its errors; the exports are GET only.
    ("log/log 200/200 200/200 200/200 200/200 200/200 200/200 mfa/mfa", "privacy:delete"),
    ("log/log 200/405 200/405 200/405 200/405 200/405 200/405 mfa/mfa", "privacy:export"),
    ("log/log 200/405 200/405 200/405 200/405 200/405 200/405 mfa/mfa", "privacy:export_page"),
    # library and notifications
    # Crisis lines and public resources for everyone; the rest after signing in.
    ("200/200 200/200 200/200 200/200 200/200 200/200 200/200 mfa/mfa", "library:index"),
    # A private resource (the factory's default) needs signing in.
    ("log/log 200/200 200/200 200/200 200/200 200/200 200/200 mfa/mfa", "library:detail", _resource),
    ("log/log 200/200 200/200 200/200 200/200 200/200 200/200 mfa/mfa", "notifications:index"),
    ("log/log 405/302 405/302 405/302 405/302 405/302 405/302 mfa/mfa", "notifications:read_all"),
    # web push (issue 10, push): one's own devices. An empty POST to add one is refused field by field (400); a
    # device is its owner's alone (others: 404, audited); a test alert goes back to the page with a message.
    ("log/log 200/405 200/405 200/405 200/405 200/405 200/405 mfa/mfa", "notifications:devices"),
    ("log/log 405/400 405/400 405/400 405/400 405/400 405/400 mfa/mfa", "notifications:device_add"),
    ("log/log 405/302 405/302 405/302 405/302 405/302 405/302 mfa/mfa", "notifications:device_test"),
    ("log/log 405/302 405/404 405/404 405/404 405/404 405/404 mfa/mfa", "notifications:device_stop", _device),
    # console: coordinators only; a POST-only action redirects back to its page
    ("log/log 403/403 403/403 200/200 403/403 403/403 403/403 mfa/mfa", "console:index"),
    ("log/log 403/403 403/403 200/200 403/403 403/403 403/403 mfa/mfa", "console:people"),
    ("log/log 403/403 403/403 200/200 403/403 403/403 403/403 mfa/mfa", "console:person", _person),
    # GET with no role asked for goes back to the person; with one, it asks for confirmation and a reason.
    ("log/log 403/403 403/403 302/302 403/403 403/403 403/403 mfa/mfa", "console:person_role", _person),
    ("log/log 403/403 403/403 405/302 403/403 403/403 403/403 mfa/mfa", "console:person_active", _person),
    ("log/log 403/403 403/403 200/200 403/403 403/403 403/403 mfa/mfa", "console:resources"),
    ("log/log 403/403 403/403 200/200 403/403 403/403 403/403 mfa/mfa", "console:resource_add"),
    ("log/log 403/403 403/403 200/200 403/403 403/403 403/403 mfa/mfa", "console:resource_edit", _resource),
    # GET asks to confirm; a POST deletes and goes back to the list.
    ("log/log 403/403 403/403 200/302 403/403 403/403 403/403 mfa/mfa", "console:resource_delete", _resource),
    ("log/log 403/403 403/403 200/200 403/403 403/403 403/403 mfa/mfa", "console:workplaces"),
    ("log/log 403/403 403/403 200/200 403/403 403/403 403/403 mfa/mfa", "console:workplace_add"),
    ("log/log 403/403 403/403 200/200 403/403 403/403 403/403 mfa/mfa", "console:workplace_bulk_add"),
    ("log/log 403/403 403/403 200/200 403/403 403/403 403/403 mfa/mfa", "console:workplace_edit", _workplace),
    ("log/log 403/403 403/403 405/302 403/403 403/403 403/403 mfa/mfa", "console:workplace_active", _workplace),
    ("log/log 403/403 403/403 200/200 403/403 403/403 403/403 mfa/mfa", "console:settings"),
    # matching (coordinators): the waitlist, batches, matching by hand, weights
    ("log/log 403/403 403/403 200/200 403/403 403/403 403/403 mfa/mfa", "console:waitlist"),
    ("log/log 403/403 403/403 200/200 403/403 403/403 403/403 mfa/mfa", "console:matching_weights"),
    # A POST makes a preview and goes on to it.
    ("log/log 403/403 403/403 405/302 403/403 403/403 403/403 mfa/mfa", "console:batch_preview"),
    ("log/log 403/403 403/403 200/200 403/403 403/403 403/403 mfa/mfa", "console:batch_detail", _batch),
    ("log/log 403/403 403/403 405/302 403/403 403/403 403/403 mfa/mfa", "console:batch_apply", _batch),
    ("log/log 403/403 403/403 200/200 403/403 403/403 403/403 mfa/mfa", "console:request_match", _waitlisted),
    # supporters: one's own supporter profile; the coordinators' list, detail and pause
    ("log/log 403/403 200/200 403/403 403/403 200/200 403/403 mfa/mfa", "supporters:profile"),
    # becoming a supporter (issue 13): anyone signed in may apply (a supporter sees where theirs stands); training is
    # a supporter's own; a referee's private form opens to whoever holds its link.
    ("log/log 200/200 200/200 200/200 200/200 200/200 200/200 mfa/mfa", "supporters:apply"),
    ("log/log 405/302 405/302 405/302 405/302 405/302 405/302 mfa/mfa", "supporters:withdraw"),
    ("log/log 403/403 200/200 403/403 403/403 200/200 403/403 mfa/mfa", "supporters:training"),
    ("200/200 200/200 200/200 200/200 200/200 200/200 200/200 mfa/mfa", "supporters:reference", _referee_token),
    ("log/log 403/403 403/403 200/200 403/403 403/403 403/403 mfa/mfa", "console:supporters"),
    ("log/log 403/403 403/403 200/200 403/403 403/403 403/403 mfa/mfa", "console:supporter", _profile),
    ("log/log 403/403 403/403 405/302 403/403 403/403 403/403 mfa/mfa", "console:supporter_pause", _profile),
    ("log/log 403/403 403/403 200/200 403/403 403/403 403/403 mfa/mfa", "console:applications"),
    ("log/log 403/403 403/403 200/200 403/403 403/403 403/403 mfa/mfa", "console:application", _application),
    ("log/log 403/403 403/403 405/302 403/403 403/403 403/403 mfa/mfa", "console:application_checked", _application),
    ("log/log 403/403 403/403 405/302 403/403 403/403 403/403 mfa/mfa", "console:application_referees", _application),
    ("log/log 403/403 403/403 405/302 403/403 403/403 403/403 mfa/mfa", "console:application_move", _application),
    ("log/log 403/403 403/403 200/200 403/403 403/403 403/403 mfa/mfa", "console:training"),
    ("log/log 403/403 403/403 200/200 403/403 403/403 403/403 mfa/mfa", "console:training_module", _module),
    ("log/log 403/403 403/403 405/302 403/403 403/403 403/403 mfa/mfa", "console:training_confirm", _training_record),
    ("log/log 403/403 403/403 200/200 403/403 403/403 403/403 mfa/mfa", "console:service_report"),
    ("log/log 403/403 403/403 200/200 403/403 403/403 403/403 mfa/mfa", "console:service_report_csv"),
    ("log/log 403/403 403/403 200/200 403/403 403/403 403/403 mfa/mfa", "console:audit"),
    ("log/log 403/403 403/403 200/200 403/403 403/403 403/403 mfa/mfa", "console:dashboard"),
    ("log/log 403/403 403/403 405/200 403/403 403/403 403/403 mfa/mfa", "console:audit_verify"),
    # connections: the member's request (theirs alone: coordinators match it from the console, not here)
    ("log/log 200/200 200/200 200/200 200/200 200/200 200/200 mfa/mfa", "connections:request_new"),
    ("log/log 200/200 404/404 404/404 404/404 404/404 404/404 mfa/mfa", "connections:request_detail", _request),
    ("log/log 405/302 405/404 405/404 405/404 405/404 405/404 mfa/mfa", "connections:request_pick", _request),
    ("log/log 405/302 405/404 405/404 405/404 405/404 405/404 mfa/mfa", "connections:request_more", _request),
    ("log/log 405/302 405/404 405/404 405/404 405/404 405/404 mfa/mfa", "connections:request_coordinators", _request),
    ("log/log 405/302 405/404 405/404 405/404 405/404 405/404 mfa/mfa", "connections:request_withdraw", _request),
    # connections: offers, the supporter's alone (members and coordinators lack the role: 403 before any lookup)
    ("log/log 403/403 200/200 403/403 403/403 200/200 403/403 mfa/mfa", "connections:offers"),
    ("log/log 403/403 405/302 403/403 403/403 405/404 403/403 mfa/mfa", "connections:offer_accept", _offer),
    ("log/log 403/403 405/302 403/403 403/403 405/404 403/403 mfa/mfa", "connections:offer_decline", _offer),
    # connections: the connection, its two people's alone. An empty close or block form is valid (the reason is
    # optional), so a POST closes or blocks and moves on.
    ("log/log 200/200 200/200 404/404 404/404 404/404 404/404 mfa/mfa", "connections:connection_detail", _connection),
    ("log/log 200/302 200/302 404/404 404/404 404/404 404/404 mfa/mfa", "connections:connection_close", _connection),
    ("log/log 200/302 200/302 404/404 404/404 404/404 404/404 mfa/mfa", "connections:connection_block", _connection),
    # Only the member can ask for a different peer; to the supporter the page does not exist.
    ("log/log 200/302 404/404 404/404 404/404 404/404 404/404 mfa/mfa", "connections:connection_change", _connection),
    # No review point is due yet, so the two people are sent back to the connection.
    ("log/log 302/302 302/302 404/404 404/404 404/404 404/404 mfa/mfa", "connections:connection_review", _connection),
    # Still active, so there is no feedback to give yet: the member is sent home.
    ("log/log 302/302 404/404 404/404 404/404 404/404 404/404 mfa/mfa", "connections:connection_feedback", _connection),
    # connections: sessions, the connection's two people's alone
    ("log/log 200/405 200/405 404/405 404/405 404/405 404/405 mfa/mfa", "meetings:session_list", _connection),
    ("log/log 200/200 200/200 404/404 404/404 404/404 404/404 mfa/mfa", "meetings:session_propose", _connection),
    ("log/log 200/405 200/405 404/405 404/405 404/405 404/405 mfa/mfa", "meetings:session_detail", _session),
    # Only the side asked can propose another time: the proposer (the member) is sent back to the session.
    ("log/log 302/302 200/200 404/404 404/404 404/404 404/404 mfa/mfa", "meetings:session_counter", _session),
    ("log/log 405/302 405/302 405/404 405/404 405/404 405/404 mfa/mfa", "meetings:session_agree", _session),
    ("log/log 405/302 405/302 405/404 405/404 405/404 405/404 mfa/mfa", "meetings:session_cancel", _session),
    ("log/log 405/302 405/302 405/404 405/404 405/404 405/404 mfa/mfa", "meetings:session_held", _session),
    # An empty POST chooses neither a new address nor none, and is sent back with a message.
    ("log/log 200/302 200/302 200/302 200/302 200/302 200/302 mfa/mfa", "meetings:calendar_settings"),
    # The feed's URL is its credential: no sign-in, the same for everyone who holds it (GET only).
    ("200/405 200/405 200/405 200/405 200/405 200/405 200/405 mfa/mfa", "meetings:calendar_feed", _feed_token),
    # conversations and calls: the connection's two people alone; coordinators never see a thread
    ("log/log 200/200 200/200 404/404 404/404 404/404 404/404 mfa/mfa", "conversations:thread", _thread),
    # The two people are sent on to the connection's thread (made on first use).
    ("log/log 302/302 302/302 404/404 404/404 404/404 404/404 mfa/mfa", "conversations:connection_thread", _connection),
    ("log/log 200/200 200/200 404/404 404/404 404/404 404/404 mfa/mfa", "calls:call", _call_thread),
    # --- roster (issue 10, roster part) ---
    # The supporter's shifts, cover board and contact records: supporters only (others lack the role: 403).
    ("log/log 403/403 200/200 403/403 403/403 200/200 403/403 mfa/mfa", "roster:my_shifts"),
    # An empty POST chooses neither Available nor Busy: back to the shifts with a message.
    ("log/log 403/403 405/302 403/403 403/403 405/302 403/403 mfa/mfa", "roster:busy"),
    # One's own place only: another supporter gets a 404.
    ("log/log 403/403 405/302 403/403 403/403 405/404 403/403 mfa/mfa", "roster:offer", _own_place),
    ("log/log 403/403 405/302 403/403 403/403 405/404 403/403 mfa/mfa", "roster:withdraw", _own_place),
    ("log/log 403/403 200/200 403/403 403/403 200/200 403/403 mfa/mfa", "roster:cover"),
    # An offered place is any supporter's to take; the answer is the cover board or their shifts, never a 404.
    ("log/log 403/403 405/302 403/403 403/403 405/302 403/403 mfa/mfa", "roster:take", _offered_place),
    ("log/log 403/403 200/200 403/403 403/403 200/200 403/403 mfa/mfa", "roster:contacts_to_file"),
    # Its supporter's alone; an empty POST redraws the form with its errors.
    ("log/log 403/403 200/200 403/403 403/403 404/404 403/403 mfa/mfa", "roster:contact_record", _contact_record),
    # The coordinators' roster: patterns, dated shifts and their places, coverage, changes.
    ("log/log 403/403 403/403 200/200 403/403 403/403 403/403 mfa/mfa", "console:roster"),
    ("log/log 403/403 403/403 200/200 403/403 403/403 403/403 mfa/mfa", "console:roster_pattern_add"),
    ("log/log 403/403 403/403 200/200 403/403 403/403 403/403 mfa/mfa", "console:roster_pattern", _pattern),
    ("log/log 403/403 403/403 405/302 403/403 403/403 403/403 mfa/mfa", "console:roster_pattern_end", _pattern),
    ("log/log 403/403 403/403 200/200 403/403 403/403 403/403 mfa/mfa", "console:roster_shift_add"),
    ("log/log 403/403 403/403 200/200 403/403 403/403 403/403 mfa/mfa", "console:roster_shift", _dated_shift),
    ("log/log 403/403 403/403 405/302 403/403 403/403 403/403 mfa/mfa", "console:roster_shift_cancel", _dated_shift),
    ("log/log 403/403 403/403 405/302 403/403 403/403 403/403 mfa/mfa", "console:roster_place_add", _dated_shift),
    ("log/log 403/403 403/403 405/302 403/403 403/403 403/403 mfa/mfa", "console:roster_place_remove", _own_place),
    ("log/log 403/403 403/403 405/302 403/403 403/403 403/403 mfa/mfa", "console:roster_place_role", _own_place),
    ("log/log 403/403 403/403 200/200 403/403 403/403 403/403 mfa/mfa", "console:roster_coverage"),
    ("log/log 403/403 403/403 200/200 403/403 403/403 403/403 mfa/mfa", "console:roster_changes"),
    # phone line (issue 10: call-backs and the phone line). The matrix runs with the line off (no provider settings).
    # Asking for a call-back is open to everyone; with the line off the page says so (an empty POST redraws it).
    ("200/200 200/200 200/200 200/200 200/200 200/200 200/200 mfa/mfa", "phoneline:callback_new"),
    # The private link is the credential: the same for everyone who holds it; cancelling goes back to it.
    ("200/405 200/405 200/405 200/405 200/405 200/405 200/405 mfa/mfa", "phoneline:callback_status", _callback_token),
    ("405/302 405/302 405/302 405/302 405/302 405/302 405/302 mfa/mfa", "phoneline:callback_cancel", _callback_token),
    # One's own number: an empty POST redraws the form with its error.
    ("log/log 200/200 200/200 200/200 200/200 200/200 200/200 mfa/mfa", "phoneline:my_number"),
    # Call-backs for supporters: offered to those on shift in the window (the cast's supporter), 404 to others.
    ("log/log 403/403 200/405 403/403 403/403 200/405 403/403 mfa/mfa", "phoneline:callbacks"),
    ("log/log 403/403 200/405 403/403 403/403 404/405 403/403 mfa/mfa", "phoneline:callback_detail", _callback),
    ("log/log 403/403 405/302 403/403 403/403 405/404 403/403 mfa/mfa", "phoneline:callback_take", _callback),
    # Not taken yet (and the line is off): refused with a message, back to the call-back.
    ("log/log 403/403 405/302 403/403 403/403 405/404 403/403 mfa/mfa", "phoneline:callback_call", _callback),
    ("log/log 403/403 405/302 403/403 403/403 405/404 403/403 mfa/mfa", "phoneline:callback_outcome", _callback),
    # Phone sessions: the connection's two people; only its supporter places the call (refused: the line is off).
    ("log/log 200/405 200/405 404/405 404/405 404/405 404/405 mfa/mfa", "phoneline:session_call", _phone_session),
    ("log/log 405/404 405/302 405/404 405/404 405/404 405/404 mfa/mfa", "phoneline:session_call_start", _phone_session),
    ("log/log 403/403 403/403 200/405 403/403 403/403 403/403 mfa/mfa", "console:phoneline"),
    # The provider's webhooks: anyone may POST, only requests signed by the provider pass (none can be, line off).
    ("405/403 405/403 405/403 405/403 405/403 405/403 405/403 mfa/mfa", "phoneline:hook_voice"),
    ("405/403 405/403 405/403 405/403 405/403 405/403 405/403 mfa/mfa", "phoneline:hook_status"),
    ("405/403 405/403 405/403 405/403 405/403 405/403 405/403 mfa/mfa", "phoneline:hook_wave", _phone_call_wave),
    ("405/403 405/403 405/403 405/403 405/403 405/403 405/403 mfa/mfa", "phoneline:hook_screen", _phone_call_screen),
    (
        "405/403 405/403 405/403 405/403 405/403 405/403 405/403 mfa/mfa",
        "phoneline:hook_screen_answer",
        _phone_call_screen,
    ),
    ("405/403 405/403 405/403 405/403 405/403 405/403 405/403 mfa/mfa", "phoneline:hook_keypad", _phone_call),
    ("405/403 405/403 405/403 405/403 405/403 405/403 405/403 mfa/mfa", "phoneline:hook_bridge", _phone_call),
    ("405/403 405/403 405/403 405/403 405/403 405/403 405/403 mfa/mfa", "phoneline:hook_bridge_done", _phone_call),
    # talk now (issue 10's "Talk now in the app"). The start page is every signed-in person's: outside opening
    # hours (the table has none) it shows the crisis lines and the call-back, and a POST asks nobody.
    ("log/log 200/200 200/200 200/200 200/200 200/200 200/200 mfa/mfa", "talknow:start"),
    ("log/log 403/403 200/405 403/403 403/403 200/405 403/403 mfa/mfa", "talknow:offers"),
    # Only the supporter it was offered to can accept (the first accept wins: on to the conversation).
    ("log/log 403/403 405/302 403/403 403/403 405/404 403/403 mfa/mfa", "talknow:accept", _talknow_offer),
    # The waiting request is the member's alone: a supporter offered it sees no more than the offer.
    ("log/log 200/200 404/404 404/404 404/404 404/404 404/404 mfa/mfa", "talknow:request", _talknow_waiting),
    ("log/log 405/302 405/404 405/404 405/404 405/404 405/404 mfa/mfa", "talknow:cancel", _talknow_waiting),
    # The conversation: the member and the supporter who accepted (while they are a supporter).
    ("log/log 200/200 200/200 404/404 404/404 404/404 404/404 mfa/mfa", "talknow:conversation", _talknow_connected),
    ("log/log 405/302 405/302 405/404 405/404 405/404 405/404 mfa/mfa", "talknow:end", _talknow_connected),
    ("log/log 200/200 404/404 404/404 404/404 404/404 404/404 mfa/mfa", "talknow:closed", _talknow_ended),
    ("log/log 403/403 403/403 200/200 403/403 403/403 403/403 mfa/mfa", "console:talknow"),
    # --- groups (issue 12): meetings and the video room ---
    # The meetings, a meeting's .ics and the room are for the group's active members (the cast's member, and its
    # supporter, who facilitates); scheduling and cancelling for its facilitators. The room has no meeting open now,
    # so members get the "opens at" page; a facilitator whose supporter role was removed holds no place in the group
    # any more (as in the thread): meetings, the room and scheduling are all refused.
    ("log/log 200/405 200/405 404/405 404/405 404/405 404/405 mfa/mfa", "group_meetings:meeting_list", _group_page),
    ("log/log 404/404 200/200 404/404 404/404 404/404 404/404 mfa/mfa", "group_meetings:meeting_new", _group_page),
    # Cancelling asks first (GET), then goes back to the meetings.
    (
        "log/log 404/404 200/302 404/404 404/404 404/404 404/404 mfa/mfa",
        "group_meetings:meeting_cancel",
        _group_meeting,
    ),
    ("log/log 200/405 200/405 404/405 404/405 404/405 404/405 mfa/mfa", "group_meetings:meeting_ics", _group_meeting),
    ("log/log 200/405 200/405 404/405 404/405 404/405 404/405 mfa/mfa", "group_meetings:room", _group_page),
    # --- safety (issue 11: raising a concern, help now, debriefs) ---
    # Raising is for the supporter of the place it arose in (others lack the role: 403; another supporter: 404). An
    # empty POST redraws the form with its errors.
    ("log/log 403/403 200/200 403/403 403/403 404/404 403/403 mfa/mfa", "safety:raise_thread", _thread),
    ("log/log 403/403 200/200 403/403 403/403 404/404 403/403 mfa/mfa", "safety:raise_connection", _connection),
    ("log/log 403/403 200/200 403/403 403/403 404/404 403/403 mfa/mfa", "safety:raise_call", _call_thread),
    ("log/log 403/403 200/200 403/403 403/403 404/404 403/403 mfa/mfa", "safety:raise_contact", _contact_record),
    # From a group (issue 12): its active facilitator alone (the cast's supporter); everyone else, a member of the
    # group included, learns nothing (404), and so does a facilitator whose supporter role was removed.
    ("log/log 404/404 200/200 404/404 404/404 404/404 404/404 mfa/mfa", "safety:raise_group", _group_page),
    # Where a concern stands: its raiser's alone (even after their supporter role was removed: they raised it).
    ("log/log 404/405 200/405 404/405 404/405 404/405 200/405 mfa/mfa", "safety:raised", _concern),
    # I need help now: open to everyone with nothing in the way (not even MFA enrolment); an empty POST alerts
    # nobody and shows the page again.
    ("200/200 200/200 200/200 200/200 200/200 200/200 200/200 200/200", "safety:help_now"),
    ("log/log 403/403 405/302 403/403 403/403 405/302 403/403 mfa/mfa", "safety:debrief"),
    ("log/log 403/403 403/403 200/405 403/403 403/403 403/403 mfa/mfa", "console:debriefs"),
    ("log/log 403/403 403/403 405/302 403/403 403/403 403/403 mfa/mfa", "console:debrief_take", _debrief),
    ("log/log 403/403 403/403 405/302 403/403 403/403 403/403 mfa/mfa", "console:debrief_done", _debrief),
    # safety concerns: coordinators only; an empty POST to add or close redraws the form with its errors
    ("log/log 403/403 403/403 200/405 403/403 403/403 403/403 mfa/mfa", "console:concerns"),
    ("log/log 403/403 403/403 200/405 403/403 403/403 403/403 mfa/mfa", "console:concern", _concern),
    ("log/log 403/403 403/403 405/302 403/403 403/403 403/403 mfa/mfa", "console:concern_acknowledge", _concern),
    ("log/log 403/403 403/403 405/200 403/403 403/403 403/403 mfa/mfa", "console:concern_add", _concern),
    ("log/log 403/403 403/403 200/200 403/403 403/403 403/403 mfa/mfa", "console:concern_close", _concern),
    # break-glass: only the coordinator handling it (here the cast's coordinator); an empty POST shows the form again
    ("log/log 403/403 403/403 200/200 403/403 403/403 403/403 mfa/mfa", "console:concern_reveal", _handled_concern),
    # one's own access log, for everyone signed in
    ("log/log 200/405 200/405 200/405 200/405 200/405 200/405 mfa/mfa", "accounts:access_log"),
    # --- boundaries (issue 11): referral cards, overdue reviews, conduct reports ---
    # A referral card is sent by the thread's supporter side only: the member is refused (403, audited); the
    # supporter's empty POST names no resource and goes back with a message; outsiders get the thread's 404.
    ("log/log 405/403 405/302 405/404 405/404 405/404 405/404 mfa/mfa", "conversations:send_referral", _thread),
    ("log/log 403/403 403/403 200/200 403/403 403/403 403/403 mfa/mfa", "console:reviews_overdue"),
    # Either side reports the other (an empty POST redraws the form); outsiders, coordinators included, get 404.
    (
        "log/log 200/200 200/200 404/404 404/404 404/404 404/404 mfa/mfa",
        "safety_reports:report_connection",
        _connection,
    ),
    ("log/log 200/200 200/200 404/404 404/404 404/404 404/404 mfa/mfa", "safety_reports:report_thread", _thread),
    ("log/log 200/405 200/405 200/405 200/405 200/405 200/405 mfa/mfa", "safety_reports:reports"),
    # A report is its reporter's alone to read (the member's here); coordinators read it in the console.
    ("log/log 200/405 404/405 404/405 404/405 404/405 404/405 mfa/mfa", "safety_reports:report", _report),
    ("log/log 403/403 403/403 200/405 403/403 403/403 403/403 mfa/mfa", "console:reports"),
    ("log/log 403/403 403/403 200/405 403/403 403/403 403/403 mfa/mfa", "console:report", _report),
    # Taking goes back to the report; an empty close redraws the form with its error.
    ("log/log 403/403 403/403 405/302 403/403 403/403 403/403 mfa/mfa", "console:report_take", _report),
    ("log/log 403/403 403/403 405/200 403/403 403/403 403/403 mfa/mfa", "console:report_close", _report),
    # --- groups (issue 12: circles, drop-ins, supervision) ---
    # The directory and a circle's page are for everyone signed in (the cast's member is in the circle, the supporter
    # facilitates it; everyone else may see it exists and join). An empty join POST has no agreement: back to the page.
    ("log/log 200/405 200/405 200/405 200/405 200/405 200/405 mfa/mfa", "groups:directory"),
    ("log/log 200/405 200/405 200/405 200/405 200/405 200/405 mfa/mfa", "groups:detail", _group_page),
    ("log/log 405/302 405/302 405/302 405/302 405/302 405/302 mfa/mfa", "groups:join", _group_page),
    # Leaving asks first (members); the only facilitator is told to hand over (a message, back); others are sent back.
    ("log/log 200/302 200/302 302/302 302/302 302/302 200/302 mfa/mfa", "groups:leave", _group_page),
    # Facilitating: the group's facilitators alone, while they are supporters; everyone else gets the 404.
    ("log/log 404/405 200/405 404/405 404/405 404/405 404/405 mfa/mfa", "groups:facilitate", _group_page),
    ("log/log 405/404 405/302 405/404 405/404 405/404 405/404 mfa/mfa", "groups:approve", _group_request),
    ("log/log 405/404 405/302 405/404 405/404 405/404 405/404 mfa/mfa", "groups:decline", _group_request),
    ("log/log 405/404 405/302 405/404 405/404 405/404 405/404 mfa/mfa", "groups:mute", _group_member),
    ("log/log 405/404 405/302 405/404 405/404 405/404 405/404 mfa/mfa", "groups:unmute", _group_member),
    ("log/log 404/404 200/302 404/404 404/404 404/404 404/404 mfa/mfa", "groups:remove", _group_member),
    ("log/log 405/404 405/302 405/404 405/404 405/404 405/404 mfa/mfa", "groups:pause", _group_page),
    ("log/log 405/404 405/302 405/404 405/404 405/404 405/404 mfa/mfa", "groups:resume", _group_page),
    ("log/log 404/404 200/302 404/404 404/404 404/404 404/404 mfa/mfa", "groups:end", _drop_in),
    # The coordinators' pages; an empty form is redrawn with its errors; the only facilitator cannot be removed.
    ("log/log 403/403 403/403 200/405 403/403 403/403 403/403 mfa/mfa", "groups:manage"),
    (
        "log/log 403/403 403/403 200/200 403/403 403/403 403/403 mfa/mfa",
        "groups:manage_new",
        lambda cast: {"kind": "circle"},
    ),
    ("log/log 403/403 403/403 200/200 403/403 403/403 403/403 mfa/mfa", "groups:manage_edit", _group_page),
    ("log/log 403/403 403/403 405/302 403/403 403/403 403/403 mfa/mfa", "groups:facilitator_add", _group_page),
    (
        "log/log 403/403 403/403 405/302 403/403 403/403 403/403 mfa/mfa",
        "groups:facilitator_remove",
        _group_facilitator,
    ),
    ("log/log 403/403 403/403 200/302 403/403 403/403 403/403 mfa/mfa", "groups:manage_close", _group_page),
    # --- incident debriefs (issue 12) ---
    # Started by debrief leads and coordinators (the cast has no lead here); an empty POST redraws the form.
    ("log/log 403/403 403/403 200/200 403/403 403/403 403/403 mfa/mfa", "debriefs:start"),
    ("log/log 403/403 403/403 200/200 403/403 403/403 403/403 mfa/mfa", "debriefs:records"),
    # The debrief the supporter (a lead) started and the member joined: its people and the coordinators see it.
    ("log/log 200/405 200/405 200/405 404/405 404/405 200/405 mfa/mfa", "debriefs:detail", _debrief_page),
    # The record and ending it are the starter's; an empty record is refused (400), a GET goes back to the page.
    ("log/log 404/404 302/400 404/404 404/404 404/404 302/400 mfa/mfa", "debriefs:record", _debrief_page),
    ("log/log 405/404 405/302 405/404 405/404 405/404 405/302 mfa/mfa", "debriefs:end", _debrief_page),
    # Offered to the people who took part, not the starter.
    ("log/log 200/405 404/405 404/405 404/405 404/405 404/405 mfa/mfa", "debriefs:after", _debrief_page),
    # The invitation link: anyone holding it; people already in go straight to the page; an empty POST is refused.
    ("200/400 302/302 302/302 200/400 200/400 200/400 302/302 mfa/mfa", "debriefs:join", _debrief_link),
]


@dataclass(frozen=True)
class Row:
    name: str
    expected: dict[str, str]  # role -> "GET/POST"
    kwargs: Builder


def _no_arguments(cast: Cast) -> dict[str, Any]:
    return {}


def _row(entry: tuple[str, str] | tuple[str, str, Builder]) -> Row:
    statuses, name, *rest = entry
    cells = statuses.split()
    assert len(cells) == len(ROLES), f"{name}: {len(cells)} cells for {len(ROLES)} roles"
    return Row(name=name, expected=dict(zip(ROLES, cells, strict=True)), kwargs=rest[0] if rest else _no_arguments)


MATRIX: dict[str, Row] = {row.name: row for row in map(_row, PAGES)}


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


def test_every_row_is_a_url():
    assert len(MATRIX) == len(PAGES), "a URL name has two rows"
    stale = sorted(set(MATRIX) - set(_walk(get_resolver())))
    assert not stale, f"these rows name no URL: {stale}"


@pytest.fixture
def other_supporter(db):  # type: ignore[no-untyped-def]
    """A supporter with a profile of their own, party to nothing in the cast."""
    made = factories.supporter(display_name="Sam")
    connection_factories.supporter_profile(made)
    return made


@pytest.fixture
def cast(member, supporter, coordinator, outsider, other_supporter) -> Cast:  # type: ignore[no-untyped-def]
    return {
        "member": member,
        "supporter": supporter,
        "coordinator": coordinator,
        "other_member": outsider,
        "other_supporter": other_supporter,
        "former": supporter,
        "unenrolled": supporter,
    }


def _people(cast: Cast) -> list[User]:
    """The cast's people, each once."""
    return list({person.pk: person for person in cast.values()}.values())


def _remove_supporter_role(cast: Cast) -> None:
    User.objects.filter(pk=cast["former"].pk).update(is_supporter=False)


def _remove_mfa(cast: Cast) -> None:
    Authenticator.objects.filter(user=cast["unenrolled"]).delete()


# What happens to the person first, for the roles that are the cast's supporter after a change.
# The socket test makes them for good, in this order, after every other visitor.
CHANGES: dict[str, Callable[[Cast], None]] = {"unenrolled": _remove_mfa, "former": _remove_supporter_role}


@pytest.fixture(scope="module")
def web() -> Client:
    """One client for the whole table, signed in as each role in turn by its cookies.

    A client loads the middleware on its first request (the static files middleware reads every file then), so
    one client shared by every row keeps the table fast. It enforces CSRF checks, as a browser meets them.
    """
    return Client(enforce_csrf_checks=True)


@dataclass(frozen=True)
class Visitor:
    session: str  # the session cookie's value; "" for anonymous visitors
    csrf_cookie: str
    csrf_token: str


def _csrf(web: Client) -> tuple[str, str]:
    """A CSRF cookie and a token for forms, as a browser gets them: from the sign-in page's form."""
    web.cookies.clear()
    response = web.get(reverse("account_login"))
    assert response.status_code == 200
    return web.cookies[settings.CSRF_COOKIE_NAME].value, response.context["csrf_token"]


def _visitors(web: Client, cast: Cast) -> dict[str, Visitor]:
    cookie, token = _csrf(web)
    sessions: dict[int, str] = {}
    for role in ROLES[1:]:
        user = cast[role]
        if user.pk not in sessions:
            web.cookies.clear()
            web.force_login(user)
            sessions[user.pk] = web.cookies[settings.SESSION_COOKIE_NAME].value
    return {
        role: Visitor(session=sessions[cast[role].pk] if role != "anon" else "", csrf_cookie=cookie, csrf_token=token)
        for role in ROLES
    }


def _answer(response: Any) -> str:
    if response.status_code == 302:
        where = response["Location"].split("?")[0]
        if where == reverse("account_login"):
            return LOGIN
        if where == reverse("mfa_activate_totp"):
            return ENROL
    return str(response.status_code)


def _ask(
    web: Client,
    visitor: Visitor,
    method: str,
    url: str,
    *,
    first: Callable[[], None] | None = None,
    others: Sequence[User] = (),
) -> str:
    """One request, rolled back afterwards (with what ``first`` changed), so every role and method meets the row's
    object as it was made.

    A refusal (403 or 404) must leave a denied AuditEvent, and its page must name none of ``others`` (the cast's
    people other than the visitor): no display name, no email address."""
    web.cookies.clear()
    web.cookies[settings.CSRF_COOKIE_NAME] = visitor.csrf_cookie
    if visitor.session:
        web.cookies[settings.SESSION_COOKIE_NAME] = visitor.session
    with transaction.atomic():
        if first is not None:
            first()
        denials = AuditEvent.objects.filter(outcome=Outcome.DENIED).count()
        data = {"csrfmiddlewaretoken": visitor.csrf_token}
        response = web.get(url) if method == "GET" else web.post(url, data)
        if response.status_code in (403, 404):
            assert AuditEvent.objects.filter(outcome=Outcome.DENIED).count() > denials, (
                f"{method} {url} answered {response.status_code} and left no denied AuditEvent"
            )
            leaked = _named(response.content.decode(errors="replace"), others)
            assert not leaked, f"{method} {url} answered {response.status_code} naming {leaked}"
        transaction.set_rollback(True)
    return _answer(response)


def _named(body: str, people: Sequence[User]) -> list[str]:
    """The display names and email addresses of ``people`` that ``body`` holds (as whole words)."""
    found = []
    for person in people:
        for word in (person.display_name, person.email):
            if word and re.search(rf"(?<![\w.@-]){re.escape(word)}(?![\w@-])", body):
                found.append(word)
    return found


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(MATRIX))
def test_each_role_gets_the_expected_status(name: str, cast: Cast, web: Client) -> None:
    row = MATRIX[name]
    url = reverse(name, kwargs=row.kwargs(cast))
    visitors = _visitors(web, cast)
    got = {}
    for role in ROLES:
        change = CHANGES.get(role)
        first = partial(change, cast) if change is not None else None
        others = [person for person in _people(cast) if role == "anon" or person.pk != cast[role].pk]
        answers = [_ask(web, visitors[role], method, url, first=first, others=others) for method in ("GET", "POST")]
        got[role] = "/".join(answers)
    wrong = {
        role: f"expected {row.expected[role]}, got {got[role]}" for role in ROLES if got[role] != row.expected[role]
    }
    assert not wrong, f"{name} ({url}): {wrong}"


@pytest.mark.django_db
def test_the_table_posts_with_a_token_the_csrf_check_accepts(cast: Cast, web: Client) -> None:
    """Without this, a 403 in the table could be the CSRF check rather than the role check."""
    url = reverse("notifications:read_all")
    visitor = _visitors(web, cast)["member"]
    assert _ask(web, visitor, "POST", url) == "302"
    assert _ask(web, Visitor(visitor.session, visitor.csrf_cookie, csrf_token="x" * 64), "POST", url) == "403"
    assert _ask(web, Visitor(visitor.session, csrf_cookie="", csrf_token=visitor.csrf_token), "POST", url) == "403"


@pytest.mark.django_db
def test_a_refusal_naming_someone_is_caught(cast: Cast) -> None:
    """The leak check of ``_ask`` can fail: a whole name or address is found, a longer word holding one is not."""
    member = cast["member"]
    assert _named(f"<p>{member.display_name} asked</p>", [member]) == [member.display_name]
    assert _named(f"<a>{member.email}</a>", [member]) == [member.email]
    assert _named(f"<p>{member.display_name}son, x{member.email}</p>", [member]) == []


# --- sockets -------------------------------------------------------------------------------------------------------
#
# One row per websocket route and the state of what it is about: for each visitor, "open" (accepted) or the code
# the socket is closed with before it opens. The visitors are the roles of the page table, and the cast's member
# without an Origin header (not a browser: a script holding their cookie) and from three other origins: a foreign
# site (https://evil.example), another port (http://localhost:9999) and another scheme (https://127.0.0.1);
# everyone else comes from the site's own. Close codes (docs/conversations.md, `lib.sockets.CloseCode`): 4401 not
# signed in, 4403 refused (another origin, exactly as the CSRF check reads one; a role that needs MFA without it;
# calls in a closed connection), 4404 no such thread for this person (the same whether or not it exists).

SOCKET_VISITORS = (
    "anon",
    "member",
    "supporter",
    "coordinator",
    "other_member",
    "other_supporter",
    "former",
    "unenrolled",
    "no_origin",
    "foreign_site",
    "other_port",
    "other_scheme",
)
OPEN = "open"
SITE_ORIGIN = "http://127.0.0.1:8000"
ORIGINS = {
    "no_origin": "",
    "foreign_site": "https://evil.example",
    "other_port": "http://localhost:9999",
    "other_scheme": "https://127.0.0.1",
}

Path = Callable[[Cast], str]


def _badge(cast: Cast) -> str:
    return "/ws/notifications/"


def _active_thread(cast: Cast) -> str:
    return f"/ws/threads/{_thread(cast)['pk']}/"


def _closed_thread(cast: Cast) -> str:
    """The thread of a connection the member closed."""
    connection = connection_factories.connection(cast["member"], cast["supporter"])
    made = get_or_create_thread_for_connection(connection=connection)
    close_connection(connection=connection, actor=cast["member"])
    return f"/ws/threads/{made.pk}/"


def _no_such_thread(cast: Cast) -> str:
    return f"/ws/threads/{_thread(cast)['pk'] + 1000}/"


def _active_call(cast: Cast) -> str:
    return f"/ws/calls/{_thread(cast)['pk']}/"


def _closed_call(cast: Cast) -> str:
    return _closed_thread(cast).replace("/ws/threads/", "/ws/calls/")


def _group_thread_socket(cast: Cast) -> str:
    return f"/ws/threads/{_group(cast)['thread']}/"


def _group_call_socket(cast: Cast) -> str:
    return f"/ws/calls/{_group(cast)['thread']}/"


def _removed_from_group_socket(cast: Cast) -> str:
    """The cast's member was removed from the group by its facilitator."""
    made = Group.objects.get(pk=_group(cast)["pk"])
    group_services.remove(membership=made.memberships.get(user=cast["member"]), by=cast["supporter"])
    return f"/ws/threads/{made.thread_id}/"


def _talknow_waiting_socket(cast: Cast) -> str:
    return f"/ws/talk-now/{_talknow_waiting(cast)['pk']}/"


def _talknow_connected_socket(cast: Cast) -> str:
    return f"/ws/talk-now/{_talknow_connected(cast)['pk']}/"


def _talknow_call(cast: Cast) -> str:
    return f"/ws/calls/{_talknow_connected_request(cast).thread_id}/"


SOCKETS: list[tuple[str, str, Path]] = [
    # anon member supp. coord. o.memb o.supp former no MFA | none foreign :9999 https | route, about
    ("4401 open open open open open open 4403 4403 4403 4403 4403", "ws/notifications/", _badge),
    ("4401 open open 4404 4404 4404 4404 4403 4403 4403 4403 4403", "ws/threads/<int:pk>/", _active_thread),
    # A closed connection's thread can still be read: the socket opens and says it takes no messages.
    ("4401 open open 4404 4404 4404 4404 4403 4403 4403 4403 4403", "ws/threads/<int:pk>/", _closed_thread),
    ("4401 4404 4404 4404 4404 4404 4404 4403 4403 4403 4403 4403", "ws/threads/<int:pk>/", _no_such_thread),
    ("4401 open open 4404 4404 4404 4404 4403 4403 4403 4403 4403", "ws/calls/<int:thread_id>/", _active_call),
    # The two people of a closed connection are refused a call; everyone else still learns nothing.
    ("4401 4403 4403 4404 4404 4404 4404 4403 4403 4403 4403 4403", "ws/calls/<int:thread_id>/", _closed_call),
    # groups (issue 12): a group's thread is for its active members, facilitators included; a facilitator whose
    # supporter role was removed, and a member a facilitator removed, are refused like outsiders.
    ("4401 open open 4404 4404 4404 4404 4403 4403 4403 4403 4403", "ws/threads/<int:pk>/", _group_thread_socket),
    ("4401 4404 open 4404 4404 4404 4404 4403 4403 4403 4403 4403", "ws/threads/<int:pk>/", _removed_from_group_socket),
    # No calls in a group's thread: its members are refused (4403, audited), everyone else learns nothing.
    ("4401 4403 4403 4404 4404 4404 4404 4403 4403 4403 4403 4403", "ws/calls/<int:thread_id>/", _group_call_socket),
    # talk now (issue 10's "Talk now in the app"): a waiting request's socket is its member's alone (a supporter
    # offered it learns nothing more); once accepted, the supporter who took it follows it too, and the two may call.
    ("4401 open 4404 4404 4404 4404 4404 4403 4403 4403 4403 4403", "ws/talk-now/<int:pk>/", _talknow_waiting_socket),
    ("4401 open open 4404 4404 4404 4404 4403 4403 4403 4403 4403", "ws/talk-now/<int:pk>/", _talknow_connected_socket),
    ("4401 open open 4404 4404 4404 4404 4403 4403 4403 4403 4403", "ws/calls/<int:thread_id>/", _talknow_call),
]


@dataclass(frozen=True)
class SocketRow:
    route: str
    about: str
    expected: dict[str, str]  # visitor -> "open" or a close code
    path: Path


def _socket_row(entry: tuple[str, str, Path]) -> SocketRow:
    cells, route, path = entry
    about = path.__name__.strip("_").replace("_", " ")
    expected = cells.split()
    assert len(expected) == len(SOCKET_VISITORS), f"{route} {about}: {len(expected)} cells for {len(SOCKET_VISITORS)}"
    return SocketRow(route=route, about=about, expected=dict(zip(SOCKET_VISITORS, expected, strict=True)), path=path)


SOCKET_MATRIX: dict[str, SocketRow] = {f"{row.route} {row.about}": row for row in map(_socket_row, SOCKETS)}


def test_every_socket_route_has_a_row():
    routes = {str(entry.pattern) for entry in websocket_urlpatterns}
    missing = sorted(routes - {row.route for row in SOCKET_MATRIX.values()})
    assert not missing, f"add these websocket routes to the permission matrix: {missing}"
    assert len(SOCKET_MATRIX) == len(SOCKETS), "two socket rows have the same route and label"
    assert {row.route for row in SOCKET_MATRIX.values()} <= routes, "a socket row names no route"


def _session_cookies(cast: Cast) -> dict[str, str]:
    cookies: dict[str, str] = {"anon": ""}
    for visitor in SOCKET_VISITORS:
        person = "member" if visitor in ORIGINS else visitor
        if visitor != "anon":
            client = Client()
            client.force_login(cast[person])
            cookies[visitor] = client.cookies[settings.SESSION_COOKIE_NAME].value
    return cookies


REFUSALS = {"4403", "4404"}
"""Close codes that are a refusal, each of which leaves a denied AuditEvent (4401 is "sign in first", as a page's
redirect to the sign-in is)."""


@sync_to_async
def _denials() -> int:
    return AuditEvent.objects.filter(outcome=Outcome.DENIED).count()


async def _knock(path: str, cookie: str, origin: str) -> str:
    headers = [(b"host", b"127.0.0.1:8000")]
    if origin:
        headers.append((b"origin", origin.encode()))
    if cookie:
        headers.append((b"cookie", f"{settings.SESSION_COOKIE_NAME}={cookie}".encode()))
    socket = WebsocketCommunicator(application, path, headers=headers)
    connected, code = await socket.connect(timeout=10)
    if not connected:
        return str(code)
    await socket.disconnect()
    return OPEN


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("close_sockets")
@pytest.mark.parametrize("label", list(SOCKET_MATRIX))
async def test_each_visitor_gets_the_expected_socket_answer(label: str, cast: Cast) -> None:
    row = SOCKET_MATRIX[label]
    path = await sync_to_async(row.path)(cast)
    cookies = await sync_to_async(_session_cookies)(cast)
    got = {}
    everyone = SOCKET_VISITORS
    for visitor in (*(v for v in everyone if v not in CHANGES), *CHANGES):
        if visitor in CHANGES:
            await sync_to_async(CHANGES[visitor])(cast)
        denials = await _denials()
        got[visitor] = await _knock(path, cookies[visitor], ORIGINS.get(visitor, SITE_ORIGIN))
        if got[visitor] in REFUSALS:
            assert await _denials() > denials, f"{label}: {visitor} was refused ({got[visitor]}) with no denied event"
    wrong = {v: f"expected {row.expected[v]}, got {got[v]}" for v in got if got[v] != row.expected[v]}
    assert not wrong, f"{label} ({path}): {wrong}"
