"""ASGI entry point: HTTP through Django; websockets through Channels, inside ``SocketGuard`` (an unreachable
Redis closes a socket with 1013 "try again" instead of failing the request). Every consumer stands on
``lib.consumers.GuardedConsumer``, which checks the origin, the session, MFA and access itself."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "alongside.settings")
django_asgi_app = get_asgi_application()

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402

from alongside.lib.sockets import SocketGuard  # noqa: E402
from alongside.routing import websocket_urlpatterns  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        "websocket": SocketGuard(AuthMiddlewareStack(URLRouter(websocket_urlpatterns))),
    }
)
