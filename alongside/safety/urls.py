from django.urls import path

from alongside.safety import views

app_name = "safety"
urlpatterns = [
    path("concerns/raise/thread/<int:pk>/", views.raise_from_thread, name="raise_thread"),
    path("concerns/raise/connection/<int:pk>/", views.raise_from_connection, name="raise_connection"),
    path("concerns/raise/call/<int:thread_id>/", views.raise_from_call, name="raise_call"),
    path("concerns/raise/contact/<int:pk>/", views.raise_from_contact, name="raise_contact"),
    path("groups/<int:pk>/concern/", views.raise_from_group, name="raise_group"),
    path("concerns/<int:pk>/raised/", views.raised, name="raised"),
    path("help-now/", views.help_now, name="help_now"),
    path("debrief/", views.debrief, name="debrief"),
]
