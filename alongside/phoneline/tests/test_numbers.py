"""One's own phone number: set, changed and removed by its owner, checked with phonenumbers, shown to nobody else."""

from __future__ import annotations

import pytest

from alongside.audit.models import AuditEvent
from alongside.phoneline.models import OwnNumber
from alongside.phoneline.numbers import to_e164
from tests import factories


@pytest.mark.parametrize(
    ("typed", "e164"),
    [
        ("0412 345 678", "+61412345678"),
        ("+61 412 345 678", "+61412345678"),
        ("(03) 9876 5432", "+61398765432"),
        ("+44 20 7946 0958", "+442079460958"),
    ],
)
def test_numbers_are_read_in_the_services_country_and_kept_in_e164(db, typed, e164):
    assert to_e164(typed) == e164


def test_a_supporter_sets_changes_and_removes_their_mobile(supporter, supporter_client):
    response = supporter_client.post("/phone/number/", {"number": "0412 345 678"})
    assert response.status_code == 302
    assert OwnNumber.objects.get(user=supporter).number == "+61412345678"
    page = supporter_client.get("/phone/number/").content.decode()
    assert "0412 345 678" in page and "Change your number" in page
    supporter_client.post("/phone/number/", {"number": "0499 999 999"})
    assert OwnNumber.objects.get(user=supporter).number == "+61499999999"
    supporter_client.post("/phone/number/", {"action": "remove"})
    assert not OwnNumber.objects.exists()
    actions = list(AuditEvent.objects.filter(action__startswith="phoneline.number").values_list("action", flat=True))
    assert sorted(actions) == ["phoneline.number.changed", "phoneline.number.removed", "phoneline.number.set"]
    # The number in any form, but not "0412" alone: four hex digits turn up in the events' hashes by chance.
    trail = str(list(AuditEvent.objects.values()))
    assert "412345678" not in trail and "0412 345" not in trail and "499999999" not in trail


@pytest.mark.parametrize(
    ("typed", "words"),
    [("", "required"), ("123", "not a complete phone number"), ("my mobile", "Enter a phone number we can call")],
)
def test_a_bad_number_is_refused_on_its_field_and_nothing_is_saved(member, member_client, typed, words):
    response = member_client.post("/phone/number/", {"number": typed})
    assert response.status_code == 200
    assert any(words in e for e in response.context["form"].errors["number"])
    assert "Nothing was saved" in response.content.decode()
    assert not OwnNumber.objects.exists()


def test_coordinators_see_only_whether_a_supporter_has_set_a_mobile(coordinator_client, supporter):
    OwnNumber.objects.create(user=supporter, number="+61412345678")
    other = factories.supporter(display_name="Nina")
    page = coordinator_client.get("/console/phone-line/").content.decode()
    assert "+61412345678" not in page and "0412" not in page and "412 345 678" not in page
    assert f"<td>{supporter.display_name}</td><td>set</td>" in page
    assert f"<td>{other.display_name}</td><td>not set</td>" in page


def test_the_console_says_plainly_when_the_line_is_off_and_what_to_set(coordinator_client):
    page = coordinator_client.get("/console/phone-line/").content.decode()
    assert "The phone line is off" in page
    for name in ("TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "TWILIO_NUMBER", "TWILIO_WEBHOOK_BASE_URL"):
        assert f"<li><code>{name}</code></li>" in page


def test_the_console_gives_the_webhook_addresses_when_the_line_is_on(coordinator_client, line_on):
    page = coordinator_client.get("/console/phone-line/").content.decode()
    assert "The phone line is on" in page
    assert "https://line.example.org/phone/hooks/voice/" in page
    assert "https://line.example.org/phone/hooks/status/" in page
