import pytest

from alongside.accounts.models import Profile
from alongside.audit.models import AuditEvent
from alongside.directory.models import CareerStage
from alongside.notifications.models import Notification
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def fresh_user(client):
    user = factories.member(profile=False)
    client.force_login(user)
    return user


def _form(**overrides):
    english = factories.LanguageFactory()
    workplace = factories.WorkplaceFactory()
    data = {
        "display_name": "Quiet Harbour",
        "real_name": "",
        "career_stage": CareerStage.INTERN,
        "languages": [english.pk],
        "workplaces": [workplace.pk],
        "time_zone": "Australia/Melbourne",
    }
    data.update(overrides)
    return data


def test_setup_completes_the_profile_and_welcomes_the_member(client, fresh_user):
    response = client.post("/profile/setup/", _form())
    assert response.status_code == 302
    profile = Profile.objects.get(user=fresh_user)
    assert profile.is_complete and profile.display_name == "Quiet Harbour"
    assert Notification.objects.filter(user=fresh_user, kind="welcome").exists()
    assert AuditEvent.objects.filter(action="accounts.profile.completed", subject_id=fresh_user.pk).exists()


def test_pages_wait_until_the_profile_is_complete(client, fresh_user):
    response = client.get("/library/")
    assert response.status_code == 302 and response.url == "/profile/setup/?next=/library/"


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("x" * 10_000, "at most 40 characters"),
        ("me@example.org", "can&#x27;t contain an email address or a phone number"),
        ("Call 0412 345 678", "can&#x27;t contain an email address or a phone number"),
        ("<script>", "Use letters, numbers"),
        ("a", "at least two characters"),
    ],
)
def test_bad_display_names_get_a_clear_message_and_nothing_is_saved(client, fresh_user, name, message):
    response = client.post("/profile/setup/", _form(display_name=name))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Profile.objects.filter(user=fresh_user).exists()


def test_display_names_are_unique_regardless_of_case(client, fresh_user, member):
    response = client.post("/profile/setup/", _form(display_name=member.profile.display_name.upper()))
    assert "already uses that display name" in response.content.decode()


def test_a_member_can_change_their_profile(member_client, member):
    response = member_client.post("/profile/", _form(display_name="New Name", career_stage=CareerStage.GP))
    assert response.status_code == 302
    member.profile.refresh_from_db()
    assert member.profile.display_name == "New Name" and member.profile.career_stage == CareerStage.GP


def test_the_real_name_is_optional_and_never_on_the_home_page(member_client, member):
    member_client.post("/profile/", _form(display_name="Alice", real_name="Dr Alice Example"))
    member.profile.refresh_from_db()
    assert member.profile.real_name == "Dr Alice Example"
    assert "Dr Alice Example" not in member_client.get("/").content.decode()


def test_deleting_an_account_removes_everything_but_an_id_in_the_audit_trail(member_client, member):
    response = member_client.post("/profile/delete/", {"confirm": "delete", "password": factories.PASSWORD})
    assert response.status_code == 302
    assert not Profile.objects.filter(pk=member.profile.pk).exists()
    assert not type(member).objects.filter(pk=member.pk).exists()
    assert AuditEvent.objects.filter(action="accounts.deleted", subject_id=member.pk).exists()


def test_deleting_needs_the_password_and_the_word(member_client, member):
    response = member_client.post("/profile/delete/", {"confirm": "yes", "password": "nope"})
    body = response.content.decode()
    assert "Type the word" in body and "password is not right" in body
    assert type(member).objects.filter(pk=member.pk).exists()


def test_a_member_can_download_their_data_with_their_access_log(member_client, member):
    response = member_client.get("/profile/export/")
    assert response["Content-Disposition"].startswith("attachment")
    data = response.json()
    assert data["profile"]["display_name"] == "Alice"
    assert data["account"]["email"] == member.email
    assert isinstance(data["access_log"], list)


def test_a_deactivated_workplace_stays_on_a_profile_that_has_it(member_client, member):
    old = factories.WorkplaceFactory(name="Old Hospital")
    member.profile.workplaces.add(old)
    old.active = False
    old.save()
    form = _form(display_name="Alice", workplaces=[old.pk])
    assert member_client.post("/profile/", form).status_code == 302
    assert list(member.profile.workplaces.all()) == [old]


def test_a_deactivated_workplace_is_not_offered_to_new_profiles(client, fresh_user):
    gone = factories.WorkplaceFactory(name="Closed Hospital", active=False)
    response = client.post("/profile/setup/", _form(workplaces=[gone.pk]))
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()


def test_setup_asks_the_browser_for_the_time_zone_but_the_profile_page_keeps_the_choice(client, fresh_user):
    setup = client.get("/profile/setup/").content.decode()
    assert "data-detect-zone" in setup and 'src="/static/js/timezone.js" defer' in setup
    client.post("/profile/setup/", _form(time_zone="Australia/Perth"))
    profile = client.get("/profile/").content.decode()
    assert "data-detect-zone" not in profile and "timezone.js" not in profile
    assert '<option value="Australia/Perth" selected>Perth, Western Australia (AWST)</option>' in profile
