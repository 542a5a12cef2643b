import pytest

from alongside.safety.models import Concern, ConcernEvent, EventKind, Level, Source
from tests import factories


@pytest.mark.django_db
def test_a_concerns_timeline_is_append_only():
    supporter = factories.supporter()
    concern = Concern.objects.create(level=Level.WORRIED, source=Source.THREAD, raised_by=supporter, note="worried")
    event = ConcernEvent.objects.create(concern=concern, kind=EventKind.RAISED, actor=supporter)
    with pytest.raises(ValueError, match="append-only"):
        event.save()
    with pytest.raises(ValueError, match="append-only"):
        event.delete()
    with pytest.raises(ValueError, match="append-only"):
        ConcernEvent.objects.filter(pk=event.pk).update(kind=EventKind.CLOSED)
    with pytest.raises(ValueError, match="append-only"):
        ConcernEvent.objects.filter(pk=event.pk).delete()
    assert ConcernEvent.objects.get(pk=event.pk).kind == EventKind.RAISED
