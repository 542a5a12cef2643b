"""The installable web app: the manifest, the service worker (served from the site root, so its scope is the whole
site) and the offline page it keeps, which holds the crisis lines.

The worker is network-first and keeps nothing but what it fetched when it was installed: the offline page, the
stylesheet and the icons. Pages and API responses are never cached, so nothing private stays on the device. It
shows the service's push alerts and, when one is tapped, brings forward an open tab of the site or opens the
alert's page (docs/push.md).
"""

from __future__ import annotations

import hashlib
import json

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import reverse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

from alongside.service.selectors import current_settings, snapshot

THEME_COLOUR = "#1f5f8b"
BACKGROUND_COLOUR = "#fbfaf7"


def precached() -> list[str]:
    """What the worker keeps for when the network is gone: the offline page and what it needs to look right."""
    return [
        reverse("offline"),
        static("css/alongside.css"),
        static("icons/icon.svg"),
        static("icons/icon-192.png"),
    ]


@require_GET
@cache_control(max_age=3600, public=True)
def manifest(request: HttpRequest) -> JsonResponse:
    name = current_settings().name
    data = {
        "name": name,
        "short_name": name if len(name) <= 12 else "Alongside",
        "description": "Peer support from colleagues who understand.",
        "lang": "en-AU",
        "dir": "ltr",
        "id": "/",
        "start_url": "/",
        "scope": "/",
        "display": "standalone",
        "background_color": BACKGROUND_COLOUR,
        "theme_color": THEME_COLOUR,
        "icons": [
            {"src": static("icons/icon.svg"), "sizes": "any", "type": "image/svg+xml", "purpose": "any"},
            {"src": static("icons/icon-192.png"), "sizes": "192x192", "type": "image/png", "purpose": "any"},
            {"src": static("icons/icon-512.png"), "sizes": "512x512", "type": "image/png", "purpose": "any"},
            {
                "src": static("icons/icon-maskable-512.png"),
                "sizes": "512x512",
                "type": "image/png",
                "purpose": "maskable",
            },
        ],
    }
    return JsonResponse(data, content_type="application/manifest+json", json_dumps_params={"ensure_ascii": False})


@require_GET
@cache_control(no_cache=True)
def service_worker(request: HttpRequest) -> HttpResponse:
    """From the site root, so its scope is every page.

    Its version is a hash of what it keeps (the static files' names and the offline page as it reads now), so a
    changed crisis line or stylesheet changes the worker's bytes: browsers install it again and keep the new copy.
    """
    urls = precached()
    version = hashlib.sha256("\n".join([*urls, _offline_page()]).encode()).hexdigest()[:12]
    body = render_to_string(
        "service/service-worker.js",
        {
            "precached": json.dumps(urls),
            "offline_url": json.dumps(reverse("offline")),
            "icon": json.dumps(static("icons/icon-192.png")),
            "version": version,
        },
    )
    return HttpResponse(body, content_type="text/javascript; charset=utf-8")


@require_GET
@cache_control(no_cache=True)
def offline(request: HttpRequest) -> HttpResponse:
    """Shown by the worker when a page can't load. The same for everyone: no name, nothing private."""
    return HttpResponse(_offline_page())


def _offline_page() -> str:
    # Rendered without the request: nothing about the person (nor their session) can reach it.
    snap = snapshot()
    return render_to_string("service/offline.html", {"service": snap.settings, "service_snapshot": snap})
