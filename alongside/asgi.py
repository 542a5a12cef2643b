"""ASGI entry point: HTTP through Django; websockets through Channels, inside ``SocketGuard`` (an unreachable
Redis closes a socket with 1013 "try again" instead of failing the request). Every consumer stands on
``lib.consumers.GuardedConsumer``, which checks the origin, the session, MFA and access itself."""

import os

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "alongside.settings")
django.setup(set_prefix=False)

from django.conf import settings  # noqa: E402

from alongside.lib.request_threads import RequestThreadsASGIHandler  # noqa: E402

# As get_asgi_application(), with each request's sync code on one of a fixed set of threads that keep their
# database connections (alongside/lib/request_threads.py).
django_asgi_app = RequestThreadsASGIHandler(threads=settings.ALONGSIDE_REQUEST_THREADS)

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
