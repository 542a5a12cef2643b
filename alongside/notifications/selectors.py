from __future__ import annotations

from django.db.models import QuerySet

from alongside.notifications.models import Notification, PushSubscription


def unread_count(user_id: int) -> int:
    return Notification.objects.filter(user_id=user_id, read_at__isnull=True).count()


def recent_for(user_id: int, limit: int = 30) -> QuerySet[Notification]:
    return Notification.objects.filter(user_id=user_id)[:limit]


def devices_of(user_id: int) -> QuerySet[PushSubscription]:
    return PushSubscription.objects.filter(user_id=user_id)
