"""Websocket routes. Each app's consumer authenticates and checks access itself."""

from django.urls import path

from alongside.notifications.consumers import NotificationsConsumer

websocket_urlpatterns = [
    path("ws/notifications/", NotificationsConsumer.as_asgi()),
]
