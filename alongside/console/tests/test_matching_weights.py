import pytest
from django.urls import reverse

from alongside.audit.models import AuditEvent
from alongside.connections import glue
from alongside.matching.models import MatchingSettings

pytestmark = pytest.mark.django_db

URL = reverse("console:matching_weights")


def _data(**overrides):
    data = dict(MatchingSettings.current().as_dict().items())
    data.update(overrides)
    return data


def test_a_coordinator_sees_the_current_weights(coordinator_client):
    body = coordinator_client.get(URL).content.decode()
    assert 'name="topic_experience"' in body and 'value="3.0"' in body
    assert "never weighed" in body


def test_saving_changes_what_the_engine_uses_and_is_audited(coordinator_client, coordinator):
    response = coordinator_client.post(URL, _data(topic_experience="7.5", load_spread="0"))
    assert response.status_code == 302
    weights = glue.current_weights()
    assert weights.topic_experience == 7.5 and weights.load_spread == 0
    event = AuditEvent.objects.get(action="matching.weights.updated")
    assert event.actor_id == coordinator.pk
    assert event.details["before"]["topic_experience"] == 3.0 and event.details["after"]["topic_experience"] == 7.5


@pytest.mark.parametrize(
    ("value", "message"),
    [("-1", "greater than or equal to 0"), ("5000", "less than or equal to 1000"), ("lots", "Enter a number")],
)
def test_out_of_range_weights_are_refused_and_nothing_changes(coordinator_client, value, message):
    response = coordinator_client.post(URL, _data(time_overlap=value))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert MatchingSettings.current().time_overlap == 2.0
    assert not AuditEvent.objects.filter(action="matching.weights.updated").exists()


def test_members_and_supporters_cannot_change_the_weights(member_client, supporter_client):
    for client in (member_client, supporter_client):
        assert client.post(URL, _data(topic_experience="9")).status_code == 403
    assert MatchingSettings.current().topic_experience == 3.0
