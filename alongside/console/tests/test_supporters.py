"""The coordinators' supporter screens: the list, a supporter's profile and load, pausing new offers."""

import pytest
from django.urls import reverse

from alongside.audit.models import AuditEvent
from alongside.connections.tests import factories as cf
from alongside.notifications.models import Kind, Notification
from alongside.supporters.models import SupporterStatus
from tests import factories

pytestmark = pytest.mark.django_db


def test_coordinators_see_a_supporters_profile_and_load(coordinator_client, supporter):
    profile = cf.supporter_profile(supporter, bio="Visible bio", capacity=3)
    cf.connection(factories.member(), supporter)
    page = coordinator_client.get(reverse("console:supporter", args=[profile.pk])).content.decode()
    assert "Visible bio" in page and "1 active, 0 offers waiting, capacity 3" in page
    assert "Tuesday 6 pm – 9 pm" in page and "Video link" in page
    listing = coordinator_client.get(reverse("console:supporters")).content.decode()
    assert supporter.display_name in listing


def test_an_unknown_supporter_is_a_404(coordinator_client):
    assert coordinator_client.get(reverse("console:supporter", args=[999])).status_code == 404


def test_a_coordinator_pauses_and_resumes_a_supporter(coordinator_client, coordinator, supporter):
    profile = cf.supporter_profile(supporter)
    url = reverse("console:supporter_pause", args=[profile.pk])
    coordinator_client.post(url, {"action": "pause", "until": ""})
    profile.refresh_from_db()
    assert profile.status == SupporterStatus.PAUSED and profile.paused_until is None
    assert Notification.objects.filter(user=supporter, kind=Kind.SUPPORTER_PAUSED).exists()
    assert AuditEvent.objects.filter(action="supporters.profile.paused", actor_id=coordinator.pk).exists()
    coordinator_client.post(url, {"action": "resume"})
    profile.refresh_from_db()
    assert profile.status == SupporterStatus.ACTIVE
    assert Notification.objects.filter(user=supporter, kind=Kind.SUPPORTER_RESUMED).exists()


def test_only_coordinators_can_pause(supporter_client, supporter):
    profile = cf.supporter_profile(supporter)
    assert (
        supporter_client.post(reverse("console:supporter_pause", args=[profile.pk]), {"action": "pause"}).status_code
        == 403
    )
    profile.refresh_from_db()
    assert profile.status == SupporterStatus.ACTIVE
