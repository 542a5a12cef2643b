from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from alongside.homes import views as home_views
from alongside.service import installable
from alongside.service import views as service_views

urlpatterns = [
    path("", home_views.home, name="home"),
    path("about/", service_views.about, name="about"),
    path("healthz", service_views.healthz, name="healthz"),
    # The installable app: served from the root so the worker's scope is the whole site.
    path("manifest.webmanifest", installable.manifest, name="manifest"),
    path("service-worker.js", installable.service_worker, name="service_worker"),
    path("offline/", installable.offline, name="offline"),
    path("accounts/", include("allauth.urls")),
    path("profile/", include("alongside.accounts.urls")),
    path("profile/", include("alongside.safety.privacy_urls")),
    path("library/", include("alongside.library.urls")),
    path("notifications/", include("alongside.notifications.urls")),
    path("console/", include("alongside.console.urls")),
    path("", include("alongside.supporters.urls")),
    path("", include("alongside.connections.urls")),
    path("", include("alongside.meetings.urls")),
    path("calls/", include("alongside.calls.urls")),
    path("", include("alongside.roster.urls")),
    path("", include("alongside.phoneline.urls")),
    path("", include("alongside.conversations.urls")),
    path("", include("alongside.talknow.urls")),
    path("groups/", include("alongside.groups.urls")),
    path("groups/", include("alongside.groups.meeting_urls")),
    path("debriefs/", include("alongside.groups.debrief_urls")),
    path("", include("alongside.safety.urls")),
    path("", include("alongside.safety.report_urls")),
]

if settings.ALONGSIDE_ADMIN_ENABLED:
    from alongside.console.admin_site import guard_admin

    guard_admin(admin.site)
    urlpatterns.append(path("admin/", admin.site.urls))

handler400 = "alongside.service.views.bad_request"
handler403 = "alongside.service.views.permission_denied"
handler404 = "alongside.service.views.page_not_found"
handler500 = "alongside.service.views.server_error"
