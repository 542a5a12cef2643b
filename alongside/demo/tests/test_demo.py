import datetime as dt
from io import StringIO

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test import override_settings

from alongside.accounts.adapters import MFAAdapter
from alongside.accounts.models import Profile, User
from alongside.audit.models import AuditEvent
from alongside.conversations.models import Message
from alongside.demo import loader as demo
from alongside.demo.data.library import RESOURCES
from alongside.demo.data.reference import TOPICS
from alongside.directory.models import CareerStage, Language, Specialty, Topic, Workplace
from alongside.groups.models import Group, GroupKind, MembershipState
from alongside.groups.models import Role as GroupRole
from alongside.groups.services import end_group
from alongside.lib.time import now
from alongside.library.models import Resource
from alongside.roster.models import Role, Rota, Shift, ShiftPattern
from alongside.roster.selectors import available_ids, coverage, gaps, is_available, on_call_ids, unfiled_contacts
from alongside.service.models import OpeningHours, ServiceSettings
from alongside.supporters.models import SupporterProfile, SupporterStatus

pytestmark = pytest.mark.django_db

MODELS = [
    ServiceSettings,
    OpeningHours,
    Topic,
    Specialty,
    Language,
    Workplace,
    Resource,
    User,
    EmailAddress,
    Profile,
    Profile.workplaces.through,
    Profile.languages.through,
    SupporterProfile,
    SupporterProfile.topics.through,
    SupporterProfile.specialties.through,
    Authenticator,
    AuditEvent,
]


def _counts() -> dict[str, int]:
    return {m._meta.label: m._default_manager.count() for m in MODELS}


def _run(*args: str) -> str:
    out = StringIO()
    call_command("load_demo", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def loaded() -> demo.LoadReport:
    return demo.load()


def test_loading_twice_changes_nothing(loaded):
    first = _counts()
    again = demo.load()
    assert again.total == 0
    assert _counts() == first
    assert first["accounts.User"] == demo.MEMBERS + demo.SUPPORTERS + 2


def test_the_cast_is_the_same_every_time():
    assert demo.build_cast() == demo.build_cast()
    assert demo.build_cast(seed=1) != demo.build_cast()


def test_the_demo_sign_ins_have_the_right_roles(loaded):
    member = User.objects.get(email=demo.DEMO_MEMBER)
    supporter = User.objects.get(email=demo.DEMO_SUPPORTER)
    coordinator = User.objects.get(email=demo.DEMO_COORDINATOR)
    assert (member.is_supporter, member.is_coordinator) == (False, False)
    assert (supporter.is_supporter, supporter.is_coordinator) == (True, False)
    assert (coordinator.is_supporter, coordinator.is_coordinator) == (False, True)
    assert supporter.supporter.status == SupporterStatus.ACTIVE
    assert not hasattr(member, "supporter") or member.supporter is None
    for user in (member, supporter, coordinator):
        assert user.check_password(demo.DEMO_PASSWORD)


def test_the_demo_member_can_sign_in_with_the_published_password(loaded, client):
    response = client.post("/accounts/login/", {"login": demo.DEMO_MEMBER, "password": demo.DEMO_PASSWORD})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(User.objects.get(email=demo.DEMO_MEMBER).pk)


def test_the_cast_is_spread_across_roles_stages_topics_and_languages(loaded):
    users = User.objects.filter(email__endswith="@" + demo.DEMO_DOMAIN)
    assert users.filter(is_supporter=True).count() == demo.SUPPORTERS
    assert users.filter(is_coordinator=True).count() == 2
    assert users.filter(is_supporter=False, is_coordinator=False).count() == demo.MEMBERS
    # Every seeded account can sign in: a verified primary address and a completed profile.
    assert EmailAddress.objects.filter(user__in=users, verified=True, primary=True).count() == users.count()
    assert Profile.objects.filter(user__in=users, completed_at__isnull=False).count() == users.count()

    supporters = Profile.objects.filter(user__is_supporter=True)
    assert set(supporters.values_list("career_stage", flat=True)) == set(CareerStage.values)
    members = Profile.objects.filter(user__is_supporter=False, user__is_coordinator=False)
    assert set(members.values_list("career_stage", flat=True)) == set(CareerStage.values)
    for topic in Topic.objects.all():
        assert topic.supporters.count() >= 3, topic.slug
    for language in Language.objects.all():
        assert Profile.objects.filter(user__is_supporter=True, languages=language).exists(), language.code
    assert Profile.objects.exclude(time_zone="Australia/Melbourne").count() >= 3
    assert Profile.objects.filter(time_zone="Australia/Melbourne").count() > users.count() * 0.75
    assert Profile.objects.filter(workplaces__isnull=False).distinct().count() > users.count() * 0.8

    statuses = list(SupporterProfile.objects.values_list("status", flat=True))
    assert statuses.count(SupporterStatus.ACTIVE) >= demo.SUPPORTERS - 3
    assert SupporterStatus.PAUSED in statuses and SupporterStatus.INACTIVE in statuses
    for sp in SupporterProfile.objects.all():
        assert 1 <= sp.capacity <= 4
        assert sp.formats and sp.bio and sp.availability
        for window in sp.availability:
            assert 0 <= window["day"] <= 6 and window["start"] < window["end"]
        if sp.status == SupporterStatus.PAUSED:
            assert sp.paused_until is not None and sp.paused_until > dt.date.today()


def test_bios_never_name_a_workplace(loaded):
    names = [w.lower() for w in Workplace.objects.values_list("name", flat=True)]
    for bio in SupporterProfile.objects.values_list("bio", flat=True):
        assert not any(name in bio.lower() for name in names), bio


def test_staff_have_totp_and_recovery_codes_with_the_secret_encrypted(loaded):
    staff = User.objects.filter(email__endswith="@" + demo.DEMO_DOMAIN).exclude(
        is_supporter=False, is_coordinator=False
    )
    assert staff.count() == demo.SUPPORTERS + 2
    for type_ in (Authenticator.Type.TOTP, Authenticator.Type.RECOVERY_CODES):
        assert Authenticator.objects.filter(user__in=staff, type=type_).count() == staff.count()
    assert not Authenticator.objects.filter(user__is_supporter=False, user__is_coordinator=False).exists()

    with connection.cursor() as cursor:
        cursor.execute("SELECT data FROM mfa_authenticator WHERE type = 'totp'")
        raw = [str(row[0]) for row in cursor.fetchall()]
    assert raw and all(demo.DEMO_TOTP_SECRET not in value and "enc1:" in value for value in raw)
    stored = Authenticator.objects.filter(type=Authenticator.Type.TOTP).first()
    assert MFAAdapter().decrypt(stored.data["secret"]) == demo.DEMO_TOTP_SECRET


def test_demo_code_prints_a_code_the_enrolled_supporter_accepts(loaded):
    out = StringIO()
    call_command("demo_code", stdout=out)
    code = out.getvalue().strip()
    assert len(code) == 6 and code.isdigit()
    supporter = User.objects.get(email=demo.DEMO_SUPPORTER)
    totp = TOTP(Authenticator.objects.get(user=supporter, type=Authenticator.Type.TOTP))
    assert totp.validate_code(code)
    assert not totp.validate_code(f"{(int(code) + 1) % 1_000_000:06d}")


@override_settings(PRODUCTION=True)
def test_it_refuses_demo_accounts_in_production():
    with pytest.raises(CommandError) as excinfo:
        _run()
    assert excinfo.value.returncode == 2
    assert "production" in str(excinfo.value)
    assert not User.objects.exists()
    assert not Topic.objects.exists()  # nothing half-loaded either


@override_settings(PRODUCTION=True)
def test_reference_only_loads_the_directory_and_library_in_production_without_accounts():
    out = _run("--reference-only")
    assert Topic.objects.count() == len(TOPICS)
    assert Resource.objects.filter(is_crisis=True).exists()
    assert not User.objects.exists()
    assert demo.DEMO_PASSWORD not in out


@override_settings(PRODUCTION=True)
def test_force_production_creates_the_demo_accounts():
    _run("--force-production")
    assert User.objects.filter(email=demo.DEMO_COORDINATOR, is_coordinator=True).exists()


@override_settings(PRODUCTION=True)
def test_demo_code_refuses_in_production():
    with pytest.raises(CommandError) as excinfo:
        call_command("demo_code", stdout=StringIO())
    assert excinfo.value.returncode == 2


def test_the_command_prints_the_sign_ins_and_says_when_nothing_changed():
    first = _run()
    assert "72 people" in first
    for _, email in demo.DEMO_SIGN_INS:
        assert email in first
    assert demo.DEMO_PASSWORD in first and demo.DEMO_TOTP_SECRET in first and "alongside demo_code" in first
    assert "nothing changed" in _run()


def test_crisis_lines_appear_on_the_home_page_after_loading(client):
    client.get("/")  # a snapshot cached before the load must not hide the new lines
    demo.load(people=False)
    body = client.get("/").content.decode()
    assert 'href="tel:131114"' in body and "Lifeline" in body
    assert 'href="tel:1300374377"' in body and "DRS4DRS" in body
    assert body.index('href="tel:000"') < body.index('href="tel:131114"')
    assert "8 am – 10 pm" in body and "10 am – 6 pm" in body


def test_a_coordinators_edits_survive_a_second_load(loaded):
    lifeline = Resource.objects.get(title="Lifeline")
    lifeline.description = "Edited by a coordinator."
    lifeline.save()
    vdhp = Resource.objects.get(phone="03 9280 8712")
    vdhp.title = "VDHP (our local program)"
    vdhp.save()
    Topic.objects.filter(slug="burnout").update(name="Burnout, stress and fatigue")
    supporter = Profile.objects.get(user__email=demo.DEMO_SUPPORTER)
    supporter.display_name = "Kestrel Two"
    supporter.save()
    SupporterProfile.objects.filter(user__email=demo.DEMO_SUPPORTER).update(status=SupporterStatus.PAUSED)
    before = _counts()

    demo.load()

    assert Resource.objects.get(title="Lifeline").description == "Edited by a coordinator."
    assert not Resource.objects.filter(title__startswith="Victorian Doctors Health Program").exists()
    assert Topic.objects.get(slug="burnout").name == "Burnout, stress and fatigue"
    assert Profile.objects.get(user__email=demo.DEMO_SUPPORTER).display_name == "Kestrel Two"
    assert SupporterProfile.objects.get(user__email=demo.DEMO_SUPPORTER).status == SupporterStatus.PAUSED
    assert _counts() == before


def test_a_deleted_row_comes_back_without_touching_the_rest(loaded):
    Resource.objects.filter(title="13YARN").delete()
    User.objects.filter(email="member05@" + demo.DEMO_DOMAIN).delete()
    report = demo.load()
    assert report.created == {"resources": 1, "people": 1}
    assert Resource.objects.filter(title="13YARN", is_crisis=True).count() == 1
    assert Profile.objects.filter(user__email="member05@" + demo.DEMO_DOMAIN, completed_at__isnull=False).exists()


def test_it_keeps_customised_service_settings_and_hours():
    ServiceSettings.objects.create(name="Hospital peer support", about="")
    OpeningHours.objects.create(weekday=0, is_open=True, opens=dt.time(9), closes=dt.time(17))
    demo.load(people=False)
    settings_row = ServiceSettings.objects.get()
    assert (settings_row.name, settings_row.about) == ("Hospital peer support", "")
    assert list(OpeningHours.objects.values_list("weekday", "opens", "closes")) == [(0, dt.time(9), dt.time(17))]


def test_it_fills_in_service_settings_nobody_has_touched():
    ServiceSettings.objects.create()  # what the first page view leaves behind
    demo.load(people=False)
    settings_row = ServiceSettings.objects.get()
    assert settings_row.about and settings_row.region == "VIC" and settings_row.time_zone == "Australia/Melbourne"
    assert settings_row.offers_talk_now and settings_row.offers_ongoing and settings_row.offers_groups
    hours = {h.weekday: (h.opens, h.closes) for h in OpeningHours.objects.all()}
    assert hours == {d: (dt.time(8), dt.time(22)) if d < 5 else (dt.time(10), dt.time(18)) for d in range(7)}


def test_a_taken_pseudonym_is_numbered_not_stolen():
    someone = User.objects.create_user("someone@example.org", "x")
    Profile.objects.create(user=someone, display_name="kestrel")
    demo.load()
    assert Profile.objects.get(user=someone).display_name == "kestrel"
    assert Profile.objects.get(user__email=demo.DEMO_SUPPORTER).display_name == "Kestrel 2"


def test_the_topics_are_exactly_the_service_list_in_order(loaded):
    assert list(Topic.objects.values_list("slug", "name")) == [(slug, name) for slug, name, _ in TOPICS]
    assert all(Topic.objects.values_list("experience_phrase", flat=True))


def test_the_seeded_resources_are_well_formed():
    titles = [r.title.lower() for r in RESOURCES]
    assert len(titles) == len(set(titles))
    phones = [r.phone for r in RESOURCES if r.phone]
    assert len(phones) == len(set(phones))
    for r in RESOURCES:
        resource = Resource(
            title=r.title, description=r.description, url=r.url, phone=r.phone, category=r.category, region=r.region
        )
        resource.is_crisis = r.is_crisis
        resource.full_clean()
        assert not r.url or r.url.startswith("https://")
    crisis = {r.title: r.phone for r in RESOURCES if r.is_crisis}
    assert crisis == {
        "Emergency": "000",
        "Lifeline": "13 11 14",
        "DRS4DRS": "1300 374 377",
        "Suicide Call Back Service": "1300 659 467",
        "Beyond Blue": "1300 22 4636",
        "13YARN": "13 92 76",
    }


def test_the_demo_roster_covers_the_hours_has_the_demo_supporter_on_shift_now_and_one_gap(loaded):
    kestrel = User.objects.get(email=demo.DEMO_SUPPORTER)
    assert ShiftPattern.objects.filter(rota=Rota.SUPPORT).count() == len(demo.ROSTER_SHIFTS)
    assert Shift.objects.filter(pattern__isnull=False, rota=Rota.SUPPORT).count() >= 4 * len(demo.ROSTER_SHIFTS)
    assert is_available(kestrel.pk)
    assert unfiled_contacts(kestrel.pk).count() == 1
    found = gaps()
    assert len(found) == 1 and found[0].what == "0 of 1 primary places filled"
    assert not [h for d in coverage() for h in d.gaps if h.no_shift]  # the patterns cover every open hour

    shifts = Shift.objects.count()
    assert demo.load().total == 0
    assert Shift.objects.count() == shifts


def test_the_demo_coordinator_is_on_call_over_the_opening_hours_so_a_concern_reaches_someone(loaded):
    coordinator = User.objects.get(email=demo.DEMO_COORDINATOR)
    patterns = ShiftPattern.objects.filter(rota=Rota.ON_CALL)
    assert sorted(patterns.values_list("weekday", flat=True)) == list(range(7))
    assert all(p.places.filter(supporter=coordinator, role=Role.PRIMARY).exists() for p in patterns)
    assert on_call_ids() == [coordinator.pk]
    assert coordinator.pk not in available_ids()  # the on-call rota is not the supporters' rota


def test_the_demo_has_circles_a_supervision_group_and_an_upcoming_drop_in_with_a_few_messages(loaded):
    groups = {g.name: g for g in Group.objects.all()}
    assert set(groups) == {
        "International medical graduates",
        "Interns 2027",
        "Fellowship exams",
        "Supporters' supervision",
        "Evening drop-in",
    }
    assert not Group.objects.filter(kind=GroupKind.DEBRIEF).exists()
    member = User.objects.get(email=demo.DEMO_MEMBER)
    mine = Group.objects.filter(memberships__user=member, memberships__state=MembershipState.ACTIVE)
    assert list(mine.values_list("name", flat=True)) == ["Interns 2027"]
    for group in groups.values():
        active = group.memberships.filter(state=MembershipState.ACTIVE)
        assert (
            active.filter(role=GroupRole.FACILITATOR).count() == 1 and active.filter(role=GroupRole.MEMBER).count() >= 2
        )
        assert Message.objects.filter(thread_id=group.thread_id).exists()
    supervision = groups["Supporters' supervision"].memberships.filter(role=GroupRole.MEMBER)
    assert all(m.user.is_supporter for m in supervision)
    dropin = groups["Evening drop-in"]
    assert dropin.kind == GroupKind.DROP_IN and dropin.starts_at is not None and dropin.ends_at is not None
    assert now() < dropin.starts_at < dropin.ends_at

    assert demo.load().total == 0
    assert Group.objects.count() == 5


def test_a_new_drop_in_is_made_once_the_last_has_ended(loaded):
    end_group(group=Group.objects.get(kind=GroupKind.DROP_IN))
    assert demo.load().created == {"groups": 1}
    assert Group.objects.filter(kind=GroupKind.DROP_IN, ended_at__isnull=True).count() == 1
    assert demo.load().total == 0
