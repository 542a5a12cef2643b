"""Sessions of a connection and the private calendar feed."""

from django.urls import path

from alongside.meetings import views

app_name = "meetings"
urlpatterns = [
    path("connections/<int:pk>/sessions/", views.session_list, name="session_list"),
    path("connections/<int:pk>/sessions/propose/", views.session_propose, name="session_propose"),
    path("sessions/<int:pk>/", views.session_detail, name="session_detail"),
    path("sessions/<int:pk>/another-time/", views.session_counter, name="session_counter"),
    path("sessions/<int:pk>/agree/", views.session_agree, name="session_agree"),
    path("sessions/<int:pk>/cancel/", views.session_cancel, name="session_cancel"),
    path("sessions/<int:pk>/held/", views.session_held, name="session_held"),
    path("calendar/", views.calendar_settings, name="calendar_settings"),
    path("calendar/<slug:token>.ics", views.calendar_feed, name="calendar_feed"),
]
