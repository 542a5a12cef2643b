import pytest

from alongside.notifications.models import Kind, Notification
from alongside.safety.models import Concern, ConcernEvent, EventKind, Level, Source
from alongside.safety.services import raise_concern
from tests import factories

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_concern_alerts_the_coordinator_on_call_once_committed() -> None:
    on_call, other, supporter = factories.coordinator(), factories.coordinator(), factories.supporter()
    factories.on_call(primary=[on_call])
    concern = raise_concern(raised_by=supporter, level=Level.IMMINENT, source=Source.THREAD, note="canary-note")
    alerts = Notification.objects.filter(kind=Kind.CONCERN_RAISED)
    assert [n.user_id for n in alerts] == [on_call.pk]
    assert "canary" not in alerts.get().link
    lines = list(ConcernEvent.objects.filter(concern=concern).values_list("kind", "channel"))
    assert lines == [(EventKind.RAISED, ""), (EventKind.ALERTED, "app"), (EventKind.ALERTED, "email")]
    assert Concern.objects.get(pk=concern.pk).alerted_at is not None
    assert not Notification.objects.filter(user=other).exists()
