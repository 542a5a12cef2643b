"""Websocket routes. Every consumer stands on ``alongside.lib.consumers.GuardedConsumer`` (origin, session, MFA,
access through the page's own helper, periodic re-check, close codes in ``alongside.lib.sockets.CloseCode``)."""

from django.urls import path

from alongside.calls.consumers import CallConsumer
from alongside.conversations.consumers import ThreadConsumer
from alongside.notifications.consumers import NotificationsConsumer
from alongside.talknow.consumers import TalkNowConsumer

websocket_urlpatterns = [
    path("ws/notifications/", NotificationsConsumer.as_asgi()),
    path("ws/threads/<int:pk>/", ThreadConsumer.as_asgi()),
    path("ws/calls/<int:thread_id>/", CallConsumer.as_asgi()),
    path("ws/talk-now/<int:pk>/", TalkNowConsumer.as_asgi()),
]
