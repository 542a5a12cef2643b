"""Incident debriefs: starting one once per tap, the invitation link, guests and their confinement, the record that
names nobody, the outreach that reaches every participant exactly once, and guests going when the link expires."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.http import Http404
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from alongside.accounts.models import User
from alongside.audit.models import AuditEvent, Outcome
from alongside.conversations.models import Message, ThreadMember
from alongside.conversations.services import Pending, store_messages
from alongside.groups import debriefs
from alongside.groups.models import Debrief, DebriefMode, Meeting, Membership, MembershipState, Role
from alongside.lib.time import now
from alongside.notifications.models import Kind, Notification
from tests import factories

pytestmark = pytest.mark.django_db


def lead(**kwargs) -> User:
    return factories.member(is_debrief_lead=True, **kwargs)


def hot(by: User | None = None, key: str = "k1", **kwargs) -> Debrief:
    return debriefs.start_debrief(by=by or lead(), mode=DebriefMode.HOT, team="ED resus team", start_key=key, **kwargs)


def _denials() -> int:
    return AuditEvent.objects.filter(outcome=Outcome.DENIED).count()


# --- starting ---------------------------------------------------------------------------------------------------


def test_a_lead_starts_a_hot_debrief_once_per_key_and_facilitates_it():
    starter = lead()
    first = hot(starter, key="tap")
    again = hot(starter, key="tap")
    assert again.pk == first.pk
    assert Debrief.objects.filter(started_by=starter).count() == 1
    other = hot(starter, key="another")
    assert other.pk != first.pk
    group = first.group
    assert group.name == "ED resus team" and group.kind == "debrief"
    membership = Membership.objects.get(group=group, user=starter)
    assert membership.role == Role.FACILITATOR and membership.outreach_due_at is None
    assert group.starts_at is not None
    assert first.invite_expires_at == group.starts_at + dt.timedelta(hours=debriefs.HOT_LINK_HOURS)
    assert debriefs.find_by_token(debriefs.invite_token(first)).pk == first.pk


def test_only_leads_and_coordinators_start_and_bad_input_is_refused_with_nothing_saved():
    with pytest.raises(ValidationError, match="debrief lead"):
        hot(factories.member())
    coordinator_debrief = hot(factories.coordinator())
    assert coordinator_debrief.pk
    starter = lead()
    with pytest.raises(ValidationError, match="emails"):
        debriefs.start_debrief(by=starter, mode="hot", team="call 0412 345 678", start_key="a")
    with pytest.raises(ValidationError, match="24 and 72"):
        debriefs.start_debrief(
            by=starter, mode="cold", team="ICU", start_key="b", cold_at=now() + dt.timedelta(hours=2)
        )
    with pytest.raises(ValidationError, match="24, 48 or 72"):
        hot(starter, key="c", outreach_after_hours=12)
    assert not Debrief.objects.filter(started_by=starter).exists()


def test_a_cold_debrief_has_its_meeting_and_its_link_lasts_until_two_hours_after_it():
    at = now() + dt.timedelta(hours=30)
    debrief = debriefs.start_debrief(by=lead(), mode="cold", team="Ward 5 nursing", start_key="x", cold_at=at)
    meeting = Meeting.objects.get(group=debrief.group)
    assert meeting.starts_at == at and meeting.minutes == debriefs.COLD_MINUTES
    assert debrief.invite_expires_at == meeting.ends_at + dt.timedelta(hours=2)


def test_the_start_page_takes_a_double_tap_as_one_debrief():
    starter = lead()
    web = Client()
    web.force_login(starter)
    page = web.get(reverse("debriefs:start"))
    assert page.status_code == 200
    key = page.context["form"].initial["start_key"]
    data = {"mode": "hot", "team": "ED resus team", "outreach_after_hours": "24", "start_key": key}
    first, second = web.post(reverse("debriefs:start"), data), web.post(reverse("debriefs:start"), data)
    assert first.status_code == second.status_code == 302 and first["Location"] == second["Location"]
    assert Debrief.objects.filter(started_by=starter).count() == 1
    shown = web.get(first["Location"])
    assert b"<svg" in shown.content and debriefs.invite_token(Debrief.objects.get()).encode() in shown.content
    assert b"Participation is always optional" in shown.content


def test_a_member_without_the_role_is_refused_the_start_page_and_it_is_audited():
    web = Client()
    web.force_login(factories.member())
    before = _denials()
    assert web.get(reverse("debriefs:start")).status_code == 403
    assert _denials() == before + 1


# --- the link -----------------------------------------------------------------------------------------------------


def test_a_wrong_verifier_or_an_unknown_selector_finds_nothing():
    debrief = hot()
    token = debriefs.invite_token(debrief)
    assert debriefs.find_by_token(token[:-1] + ("0" if token[-1] != "0" else "1")) is None
    assert debriefs.find_by_token("0" * 16 + token[16:]) is None
    assert debriefs.find_by_token("short") is None


def _join_url(debrief: Debrief) -> str:
    return reverse("debriefs:join", kwargs={"token": debriefs.invite_token(debrief)})


def test_an_expired_or_ended_or_unknown_link_refuses_clearly_audited_and_creates_nothing(monkeypatch):
    debrief = hot()
    url = _join_url(debrief)
    users, before = User.objects.count(), _denials()
    later = debrief.invite_expires_at + dt.timedelta(seconds=1)
    monkeypatch.setattr(debriefs, "now", lambda: later)
    response = Client().post(url, {"first_name": "Sam", "agreement": "on"})
    assert response.status_code == 410 and b"This debrief's link has expired" in response.content
    assert User.objects.count() == users and _denials() == before + 1
    monkeypatch.undo()
    debriefs.end_debrief(debrief=debrief, by=debrief.started_by)
    assert Client().get(url).status_code == 410
    assert Client().get(reverse("debriefs:join", kwargs={"token": "f" * 40})).status_code == 404
    assert User.objects.count() == users and _denials() == before + 3
    token = debriefs.invite_token(debrief)
    trail = " ".join(f"{e.details}" for e in AuditEvent.objects.all())
    assert token[debriefs.SELECTOR_LENGTH :] not in trail and "f" * 40 not in trail


def test_a_guest_joins_with_a_first_name_only_and_is_signed_in_shown_by_it():
    debrief = hot()
    web = Client()
    url = _join_url(debrief)
    for bad in ("sam@example.com", "0412345678", "x" * 31, "Sam 2", ""):
        response = web.post(url, {"first_name": bad, "agreement": "on"})
        assert response.status_code == 400, bad
    assert web.post(url, {"first_name": "Sam"}).status_code == 400  # the agreement first
    assert not User.objects.filter(is_guest=True).exists()
    response = web.post(url, {"first_name": "Sam", "agreement": "on"})
    assert response.status_code == 302 and response["Location"] == f"/debriefs/{debrief.group_id}/"
    guest = User.objects.get(is_guest=True)
    assert not guest.has_usable_password() and guest.email.endswith("@guest.invalid")
    assert not hasattr(guest, "profile") or guest.profile is None
    row = ThreadMember.objects.get(thread_id=debrief.group.thread_id, user=guest)
    assert row.shown_name == "Sam"
    membership = Membership.objects.get(group=debrief.group, user=guest)
    assert membership.state == MembershipState.ACTIVE and membership.outreach_due_at is None  # no email, no outreach
    page = web.get(response["Location"])
    assert page.status_code == 200 and b"Open the debrief chat" in page.content and b"<svg" not in page.content
    assert web.get(f"/threads/{debrief.group.thread_id}/").status_code == 200


def test_a_signed_in_member_joins_with_one_tap_after_the_agreement():
    debrief = hot()
    person = factories.member()
    web = Client()
    web.force_login(person)
    assert web.get(_join_url(debrief)).status_code == 200
    assert web.post(_join_url(debrief), {}).status_code == 400
    response = web.post(_join_url(debrief), {"agreement": "on"})
    assert response.status_code == 302
    membership = Membership.objects.get(group=debrief.group, user=person)
    assert membership.is_active
    assert membership.joined_at is not None
    assert membership.outreach_due_at == membership.joined_at + dt.timedelta(hours=24)
    assert web.get(_join_url(debrief))["Location"] == f"/debriefs/{debrief.group_id}/"  # already in: straight there


def _top_level_paths() -> list[str]:
    """Every URL that takes no argument, except the pages open to everyone."""
    found: list[str] = []

    def walk(resolver: URLResolver, prefix: str) -> None:
        for entry in resolver.url_patterns:
            route = prefix + str(entry.pattern)
            if "<" in route or route.startswith(("admin", "accounts/", "static")):
                continue
            if isinstance(entry, URLResolver):
                walk(entry, route)
            elif isinstance(entry, URLPattern):
                found.append("/" + route)

    walk(get_resolver(), "")
    open_to_all = {"/", "/about/", "/offline/", "/help-now/", "/healthz", "/manifest.webmanifest", "/service-worker.js"}
    return sorted({p for p in found if p not in open_to_all and "^" not in p})


def test_a_guest_gets_an_audited_404_everywhere_but_their_debrief_and_is_never_sent_to_a_profile():
    debrief, other = hot(), hot()
    web = Client()
    web.post(_join_url(debrief), {"first_name": "Sam", "agreement": "on"})
    paths = _top_level_paths()
    assert "/debriefs/start/" in paths and "/notifications/" in paths and len(paths) > 20
    for path in paths:
        before = _denials()
        response = web.get(path)
        assert response.status_code == 404, path
        assert _denials() == before + 1, path
    for path in (
        f"/debriefs/{other.group_id}/",
        f"/threads/{other.group.thread_id}/",
        f"/debriefs/{debrief.group_id}/record/",
        f"/debriefs/{debrief.group_id}/end/",
    ):
        assert web.get(path).status_code == 404, path
    assert web.get("/help-now/").status_code == 200
    assert web.get(f"/debriefs/{debrief.group_id}/").status_code == 200


# --- the record ---------------------------------------------------------------------------------------------------


def test_the_record_refuses_participant_names_and_the_record_and_audit_hold_none():
    starter = lead(display_name="Morgan Lee")
    debrief = hot(starter)
    person = factories.member(display_name="Priya")
    debriefs.join_debrief(debrief=debrief, user=person, accepted_agreement=True)
    debriefs.join_as_guest(debrief=debrief, first_name="Alexis", accepted_agreement=True, email="a@example.org")
    for field, text in (("summary", "priya ran the airway"), ("to_action", "Ask Morgan"), ("went_well", "ALEXIS!")):
        with pytest.raises(ValidationError) as caught:
            debriefs.save_record(debrief=debrief, by=starter, themes=["teamwork"], **{field: text})
        assert "names someone" in str(caught.value.message_dict[field])
    assert Debrief.objects.get(pk=debrief.pk).recorded_at is None
    with pytest.raises(ValidationError):
        debriefs.save_record(debrief=debrief, by=starter, themes=["not-a-theme"])
    saved = debriefs.save_record(
        debrief=debrief,
        by=starter,
        themes=["teamwork", "equipment"],
        summary="Arrest in resus; ROSC after 20 minutes.",
        went_well="Clear roles.",
        to_improve="The suction unit was missing.",
        to_action="Check suction each shift (nurse in charge).",
    )
    stored = Debrief.objects.get(pk=saved.pk)
    assert stored.to_improve == "The suction unit was missing."
    names = ["Morgan", "Lee", "Priya", "Alexis"]
    stored_text = " ".join([stored.summary, stored.went_well, stored.to_improve, stored.to_action, str(stored.themes)])
    events = AuditEvent.objects.filter(target_type="groups.group", target_id=str(debrief.group_id))
    assert events.count() >= 4
    audit_text = " ".join(f"{e.action} {e.details} {e.reason}" for e in events)
    for name in names:
        assert name.lower() not in stored_text.lower()
        assert name.lower() not in audit_text.lower()


def test_coordinators_see_the_records_without_names_and_others_are_refused():
    starter = lead(display_name="Morgan Lee")
    debrief = hot(starter)
    debriefs.save_record(debrief=debrief, by=starter, themes=["equipment"], to_action="Check suction each shift.")
    web = Client()
    web.force_login(factories.coordinator())
    page = web.get(reverse("debriefs:records"))
    assert page.status_code == 200
    assert b"Check suction each shift." in page.content and b"Equipment and environment: 1" in page.content
    assert b"Morgan" not in page.content
    web.force_login(starter)
    assert web.get(reverse("debriefs:records")).status_code == 403


def test_the_record_form_shows_the_refusal_on_the_field():
    starter = lead(display_name="Morgan Lee")
    debrief = hot(starter)
    web = Client()
    web.force_login(starter)
    response = web.post(reverse("debriefs:record", args=[debrief.group_id]), {"summary": "Morgan led"})
    assert response.status_code == 400 and b"names someone who was in the debrief" in response.content


# --- outreach ------------------------------------------------------------------------------------------------------


def test_outreach_reaches_every_participant_exactly_once_and_not_the_starter(django_capture_on_commit_callbacks):
    starter = lead()
    debrief = hot(starter, outreach_after_hours=48)
    people = [factories.member() for _ in range(3)]
    for person in people:
        debriefs.join_debrief(debrief=debrief, user=person, accepted_agreement=True)
    debriefs.join_as_guest(debrief=debrief, first_name="Sam", accepted_agreement=True, email="sam@example.org")
    debriefs.join_as_guest(debrief=debrief, first_name="Jo", accepted_agreement=True)
    early = now() + dt.timedelta(hours=47)
    assert debriefs.send_due_outreach(at=early) == debriefs.OutreachResult(0, 0)
    later = now() + dt.timedelta(hours=49)
    with django_capture_on_commit_callbacks(execute=True):
        assert debriefs.send_due_outreach(at=later) == debriefs.OutreachResult(notified=3, emailed=1)
    assert debriefs.send_due_outreach(at=later + dt.timedelta(days=3)) == debriefs.OutreachResult(0, 0)
    notes = Notification.objects.filter(kind=Kind.DEBRIEF_OUTREACH)
    assert sorted(notes.values_list("user_id", flat=True)) == sorted(p.pk for p in people)
    assert set(notes.values_list("link", flat=True)) == {f"/debriefs/{debrief.group_id}/after/"}
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["sam@example.org"]
    body = str(mail.outbox[0].body) + str(mail.outbox[0].alternatives)
    assert "Sam" not in body and "ED resus" not in body
    guest_row = Membership.objects.get(group=debrief.group, user__is_guest=True, outreach_sent_at__isnull=False)
    assert guest_row.outreach_email == ""


def test_the_after_page_offers_support_to_participants_only():
    starter = lead()
    debrief = hot(starter)
    person = factories.member()
    debriefs.join_debrief(debrief=debrief, user=person, accepted_agreement=True)
    web = Client()
    web.force_login(person)
    page = web.get(reverse("debriefs:after", args=[debrief.group_id]))
    assert page.status_code == 200
    assert reverse("talknow:start").encode() in page.content and b"ignore" in page.content
    web.force_login(starter)
    assert web.get(reverse("debriefs:after", args=[debrief.group_id])).status_code == 404


# --- guests go ----------------------------------------------------------------------------------------------------


def test_guests_are_deleted_when_the_link_expires_and_their_messages_stay(monkeypatch):
    debrief = hot()
    quiet = debriefs.join_as_guest(debrief=debrief, first_name="Jo", accepted_agreement=True)
    waiting = debriefs.join_as_guest(debrief=debrief, first_name="Sam", accepted_agreement=True, email="s@example.org")
    [stored] = store_messages([Pending(debrief.group.thread_id, quiet.pk, "k1", "thank you all")])
    assert Message.objects.get(thread_id=debrief.group.thread_id, seq=stored.seq).sender_id == quiet.pk
    assert debriefs.expire_guests() == 0  # still open
    expired = debrief.invite_expires_at + dt.timedelta(minutes=1)
    assert debriefs.expire_guests(at=expired) == 1
    assert not User.objects.filter(pk=quiet.pk).exists()
    assert stored.seq
    message = Message.objects.get(thread_id=debrief.group.thread_id, seq=stored.seq)
    assert message.sender_id is None
    waiting.refresh_from_db()
    assert not waiting.is_active  # kept, signed out, until the follow-up has gone
    due = expired + dt.timedelta(hours=24)
    assert debriefs.send_due_outreach(at=due).emailed == 1
    assert debriefs.expire_guests(at=due) == 1
    assert not User.objects.filter(is_guest=True).exists()


def test_the_starter_holds_the_thread_while_a_lead_and_a_guest_posts_under_their_first_name():
    from alongside.conversations.access import get_thread_for_member  # only this test needs it
    from alongside.conversations.selectors import member_names  # only this test needs it

    starter = lead()
    debrief = hot(starter)
    guest = debriefs.join_as_guest(debrief=debrief, first_name="Sam", accepted_agreement=True)
    thread_id = debrief.group.thread_id
    assert get_thread_for_member(starter, thread_id, via="test").pk == thread_id
    assert get_thread_for_member(guest, thread_id, via="test").pk == thread_id
    assert member_names(thread_id)[guest.pk] == "Sam"
    User.objects.filter(pk=starter.pk).update(is_debrief_lead=False)
    starter.refresh_from_db()
    with pytest.raises(Http404):
        get_thread_for_member(starter, thread_id, via="test")


def test_a_coordinator_makes_someone_a_debrief_lead_on_the_console_with_no_second_factor_needed():
    coordinator, person = factories.coordinator(), factories.member(display_name="Rivera", mfa=False)
    web = Client()
    web.force_login(coordinator)
    page = web.get(reverse("console:person", args=[person.pk]))
    assert b"Make a debrief lead" in page.content
    confirm = web.get(reverse("console:person_role", args=[person.pk]), {"role": "debrief_lead", "granted": "1"})
    assert confirm.status_code == 200 and b"two-factor" not in confirm.content
    response = web.post(
        reverse("console:person_role", args=[person.pk]),
        {"role": "debrief_lead", "granted": "1", "reason": "ED clinical lead"},
    )
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.is_debrief_lead and not person.needs_mfa
    assert AuditEvent.objects.get(action="accounts.role.granted", subject_id=person.pk).details == {
        "role": "debrief_lead"
    }
    assert b"Rivera is now a debrief lead" in web.get(response["Location"]).content
    web.force_login(person)
    assert web.get(reverse("debriefs:start")).status_code == 200  # no MFA enrolment asked


def test_a_cold_time_on_the_form_is_read_in_the_starters_own_time_zone():
    import zoneinfo  # only this test needs it

    starter = lead()
    starter.profile.time_zone = "Australia/Perth"
    starter.profile.save()
    web = Client()
    web.force_login(starter)
    local = (
        (now() + dt.timedelta(hours=30))
        .astimezone(zoneinfo.ZoneInfo("Australia/Perth"))
        .replace(second=0, microsecond=0)
    )
    key = web.get(reverse("debriefs:start")).context["form"].initial["start_key"]
    data = {"mode": "cold", "team": "ICU", "outreach_after_hours": "72", "start_key": key}
    assert web.post(reverse("debriefs:start"), data).status_code == 200  # no time: asked for one
    response = web.post(reverse("debriefs:start"), {**data, "cold_at": local.strftime("%Y-%m-%dT%H:%M")})
    assert response.status_code == 302
    meeting = Meeting.objects.get(group__debrief__started_by=starter)
    assert meeting.starts_at == local
    assert Debrief.objects.get(started_by=starter).outreach_after_hours == 72
    page = web.get(response["Location"]).content.decode()
    assert local.strftime("%H:%M") in page and "STOP5" not in page  # the time in the starter's zone, no timer
